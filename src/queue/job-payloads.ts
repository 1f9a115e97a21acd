import { z } from 'zod';

/** Payloads are parsed at the worker's edge: a job written by another version is refused, not guessed at. */
export const ensurePayloadSchema = z.strictObject({
  kind: z.literal('ensure'),
  target: z.string(),
  desired: z.enum(['running', 'stopped']),
  since: z.iso.datetime({ offset: true }),
  reason: z.string(),
  /** act: read status and send start/stop if needed; verify: wait for the provider to show the state */
  phase: z.enum(['act', 'verify']).default('act'),
  actedAt: z.iso.datetime({ offset: true }).optional(),
  /** how often the resource was found busy (transitional, away from the desired state) */
  busy: z.number().int().nonnegative().default(0),
  /** how often a call was accepted but the provider went on showing the old state, and we acted again */
  reacts: z.number().int().nonnegative().default(0),
});

export const observePayloadSchema = z.strictObject({
  kind: z.literal('observe'),
  target: z.string(),
  slot: z.number().int(),
});

export const jobPayloadSchema = z.discriminatedUnion('kind', [ensurePayloadSchema, observePayloadSchema]);

export type EnsurePayload = z.output<typeof ensurePayloadSchema>;
export type ObservePayload = z.output<typeof observePayloadSchema>;
export type JobPayload = z.output<typeof jobPayloadSchema>;

/**
 * Deterministic ids: the same decision enqueued twice (two replicas, a restart) is one job. `/` is the
 * separator because BullMQ reserves `:` and target names cannot contain `/`.
 */
export function ensureJobId(target: string, desired: string, since: Date): string {
  return `ensure/${target}/${desired}/${since.getTime()}`;
}

export function observeJobId(target: string, slot: number): string {
  return `observe/${target}/${slot}`;
}
