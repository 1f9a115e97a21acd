import { z } from 'zod';
import { idleReadingSchema } from './idle-reading.ts';

const instant = z.iso.datetime({ offset: true });

/**
 * What the idle sampler decided for a target: an idle stop (kept until the schedule's next start, an
 * override, or a wake) or a wake. decide() takes it as an input; it counts only inside the running
 * window it was made in.
 */
export const idleDecisionSchema = z.object({
  desired: z.enum(['running', 'stopped']),
  at: instant,
  reason: z.string(),
});
export type IdleDecision = z.output<typeof idleDecisionSchema>;

export type IdleBlockLabel = 'start-budget' | 'next-start';

/** An idle stop that was due and not sent because the provider's start limit could strand the target. */
export const idleBlockSchema = z.object({
  /** when the stop was first found blocked for this reason */
  since: instant,
  label: z.enum(['start-budget', 'next-start']),
  reason: z.string(),
  /** when the block lifts by itself, if it does */
  until: instant.nullable(),
});
export type IdleBlock = z.output<typeof idleBlockSchema>;

/** What setting ClickHouse's own idle scaling came back with. */
export const nativeIdleSchema = z.object({
  at: instant,
  idleScaling: z.boolean().nullable(),
  idleTimeoutMinutes: z.number().nullable(),
  /** the service's raw state after the change */
  state: z.string().nullable(),
  error: z.string().nullable(),
});
export type NativeIdleRecord = z.output<typeof nativeIdleSchema>;

/** The idle clock of a target, kept in Redis: small, rewritten on every reading. */
export const idleClockSchema = z.object({
  /** the first of the current run of consecutive idle readings (taken while the target ran, inside a running window) */
  idleSince: instant.nullable(),
  /** the first reading that found the target running in this stretch; minRunning counts from it */
  runningSince: instant.nullable(),
  last: idleReadingSchema.nullable(),
  blocked: idleBlockSchema.nullable(),
  native: nativeIdleSchema.nullable().default(null),
});
export type IdleClock = z.output<typeof idleClockSchema>;

export interface IdleState extends IdleClock {
  decision: IdleDecision | null;
}

export const EMPTY_IDLE_STATE: IdleState = { idleSince: null, runningSince: null, last: null, blocked: null, native: null, decision: null };

export function clockOf(state: IdleState): IdleClock {
  const { decision: _decision, ...clock } = state;
  return clock;
}
