import { z } from 'zod';
import { durationSchema } from '../util/duration.ts';
import type { LimitOperation, LimitRule, Limits } from './provider.ts';

const limitRuleSchema = z
  .strictObject({
    max: z.number().int().positive(),
    per: durationSchema.refine((ms) => ms > 0, 'per must be longer than 0'),
  })
  .transform((rule): LimitRule => ({ max: rule.max, perMs: rule.per }));

export const limitsSchema = z.strictObject({
  start: limitRuleSchema.optional(),
  stop: limitRuleSchema.optional(),
  status: limitRuleSchema.optional(),
  all: limitRuleSchema.optional(),
});

/**
 * Fields every provider entry accepts. A provider's schema is
 * `z.strictObject({ ...providerCommonShape, type: z.literal('x'), credentials: ..., ...own })`.
 */
export const providerCommonShape = {
  baseUrl: z.url().optional(),
  limits: limitsSchema.optional(),
  limitScope: z.enum(['resource', 'provider']).optional(),
  /** per-request timeout */
  timeout: durationSchema.default(10_000),
  /** status polling: `steady` between checks when nothing is happening, `verify` while a start/stop settles */
  poll: z
    .strictObject({
      steady: durationSchema.optional(),
      verify: durationSchema.optional(),
      /** give up waiting for a start/stop to show, and report the target stuck */
      timeout: durationSchema.default(30 * 60_000),
    })
    .default({ timeout: 30 * 60_000 }),
};

export type ProviderCommonParsed = {
  type: string;
  baseUrl?: string | undefined;
  limits?: z.output<typeof limitsSchema> | undefined;
  limitScope?: 'resource' | 'provider' | undefined;
  timeout: number;
  poll: { steady?: number | undefined; verify?: number | undefined; timeout: number };
};

/** The provider's documented limits with the config's overrides on top, per operation. */
export function effectiveLimits(defaults: Limits, overrides: Limits | undefined): Limits {
  const limits: Limits = { ...defaults };
  for (const [operation, rule] of Object.entries(overrides ?? {})) if (rule) limits[operation as LimitOperation] = rule;
  return limits;
}
