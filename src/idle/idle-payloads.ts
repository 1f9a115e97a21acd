import { z } from 'zod';

/** Payloads of the idle queue, parsed at the worker's edge like the action queue's. */
export const samplePayloadSchema = z.strictObject({
  kind: z.literal('sample'),
  target: z.string(),
  /** the sampling slot (ms); the job runs at slot + the target's jitter */
  slot: z.number().int(),
});

/** Sets a provider's own idle policy (ClickHouse idle scaling) once, at startup. */
export const nativePayloadSchema = z.strictObject({
  kind: z.literal('native'),
  target: z.string(),
});

export const idlePayloadSchema = z.discriminatedUnion('kind', [samplePayloadSchema, nativePayloadSchema]);

export type SamplePayload = z.output<typeof samplePayloadSchema>;
export type NativePayload = z.output<typeof nativePayloadSchema>;
export type IdlePayload = z.output<typeof idlePayloadSchema>;

/** Deterministic: every replica and every restart names a target's reading in one slot the same way. */
export function sampleJobId(target: string, slot: number): string {
  return `sample/${target}/${slot}`;
}

/** One per target and settings: a restart applies them again unless the job is still pending. */
export function nativeJobId(target: string, settings: { idleScaling: boolean; idleTimeoutMinutes: number }): string {
  return `native/${target}/${settings.idleScaling ? settings.idleTimeoutMinutes : 'off'}`;
}
