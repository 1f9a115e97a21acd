import { z } from 'zod';
import { durationSchema, formatDuration } from '../util/duration.ts';

/** A manual decision that beats schedule and idle policy until it expires by itself. */
export const overrideSchema = z.strictObject({
  state: z.enum(['running', 'stopped']),
  until: z.iso.datetime({ offset: true }),
  setAt: z.iso.datetime({ offset: true }),
  by: z.string().optional(),
  reason: z.string().optional(),
});

export type Override = z.output<typeof overrideSchema>;

export function isActive(override: Override | undefined, at: Date): override is Override {
  return override !== undefined && new Date(override.until).getTime() > at.getTime();
}

/** The override as a reason: `override stopped until 2026-11-23T14:00:00Z by ana: migration`. */
export function describeOverride(override: Override): string {
  return `override ${override.state} until ${override.until}${override.by ? ` by ${override.by}` : ''}${override.reason ? `: ${override.reason}` : ''}`;
}

/** What a person asks for, by CLI or HTTP: a state, and until when or for how long; who and why are optional. */
export const overrideRequestSchema = z.strictObject({
  state: z.enum(['running', 'stopped'], { error: 'state must be "running" or "stopped"' }),
  until: z.iso.datetime({ offset: true, error: 'until must be an ISO date-time with an offset, e.g. 2026-11-23T19:00:00Z' }).optional(),
  for: durationSchema.optional(),
  reason: z.string().max(500).optional(),
  by: z.string().max(200).optional(),
});

export type OverrideRequest = z.input<typeof overrideRequestSchema>;

/**
 * Validates a request at `now` into the override to store, or says what is wrong with it. Limited to
 * a year, so a typo in a date cannot pin a target for decades.
 */
export function overrideFromRequest(input: unknown, now: Date): { override: Override } | { error: string } {
  const parsed = overrideRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message };
  }
  const request = parsed.data;
  if (request.until !== undefined && request.for !== undefined) return { error: 'give until or for, not both' };
  if (request.until === undefined && request.for === undefined) return { error: 'say how long: until (an ISO date-time) or for (e.g. 2h)' };
  const until = request.until !== undefined ? new Date(request.until) : new Date(now.getTime() + request.for!);
  if (until.getTime() <= now.getTime()) return { error: `until ${until.toISOString()} is not in the future` };
  if (until.getTime() - now.getTime() > MAX_MS) return { error: `an override lasts at most ${formatDuration(MAX_MS)}; ${until.toISOString()} is further away` };
  return {
    override: {
      state: request.state,
      until: until.toISOString(),
      setAt: now.toISOString(),
      ...(request.by ? { by: request.by } : {}),
      ...(request.reason ? { reason: request.reason } : {}),
    },
  };
}

const MAX_MS = 366 * 86_400_000;
