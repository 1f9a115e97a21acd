import { z } from 'zod';

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
