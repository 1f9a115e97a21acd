import { z } from 'zod';

/**
 * What one reading of an idle signal said. `unknown` (no answer, an error, no data, not a number) is
 * never taken for idle: for stopping it counts as active, and it wakes nothing either.
 */
export type IdleVerdict = 'idle' | 'active' | 'unknown';

/** Why a reading is unknown; the `reason` label of offhours_idle_signal_failures_total (a bounded set). */
export type SignalFailure = 'timeout' | 'unreachable' | 'http-status' | 'query-error' | 'malformed' | 'empty' | 'not-a-number' | 'missing-field';

export const idleReadingSchema = z.object({
  at: z.iso.datetime({ offset: true }),
  verdict: z.enum(['idle', 'active', 'unknown']),
  /** the number compared with the threshold (the HTTP status for a status probe); null when there was none */
  value: z.number().nullable(),
  /** human words for status, logs and reasons: `value 0 <= 0.1`, `timed out after 10s` */
  detail: z.string(),
  failure: z.enum(['timeout', 'unreachable', 'http-status', 'query-error', 'malformed', 'empty', 'not-a-number', 'missing-field']).optional(),
});

export type IdleReading = z.output<typeof idleReadingSchema>;

/** A reading compared with `threshold`: idle at or below it. */
export function compareWithThreshold(at: Date, value: number, threshold: number): IdleReading {
  const idle = value <= threshold;
  return { at: at.toISOString(), verdict: idle ? 'idle' : 'active', value, detail: `value ${value} ${idle ? '<=' : '>'} ${threshold}` };
}

export function unknownReading(at: Date, failure: SignalFailure, detail: string): IdleReading {
  return { at: at.toISOString(), verdict: 'unknown', value: null, detail, failure };
}

/** The transport failure of a request that got no complete answer (undici error or our timeout). */
export function transportFailure(at: Date, error: unknown, timedOut: boolean, timeoutMs: number): IdleReading {
  if (timedOut) return unknownReading(at, 'timeout', `timed out after ${timeoutMs}ms`);
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return unknownReading(at, 'unreachable', `unreachable: ${typeof code === 'string' ? `${code} ` : ''}${message}`.slice(0, 200));
}
