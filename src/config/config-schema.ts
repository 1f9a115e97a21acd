import { z } from 'zod';
import type { ProviderCommonConfig, ProviderDefinition } from '../providers/provider.ts';
import { scheduleSpecSchema, type ScheduleSpec } from '../schedule/schedule-spec.ts';
import { durationSchema } from '../util/duration.ts';

/** Target, provider, schedule and idle policy names end up in Redis keys and BullMQ job ids. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const nameSchema = z
  .string()
  .regex(NAME_PATTERN, 'invalid name: use letters, digits, ".", "_" and "-", starting with a letter or digit (names go into Redis keys and job ids, so no ":" or spaces)');

export function isValidTimezone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export const timezoneSchema = z
  .string()
  .refine(isValidTimezone, { error: (issue) => `unknown timezone ${JSON.stringify(issue.input)} (use an IANA name such as "Europe/Berlin", or "UTC")` })
  .describe('IANA timezone, e.g. "Europe/Berlin"');

export const redisSchema = z.strictObject({
  url: z.url({ protocol: /^rediss?$/, error: 'expected a redis:// or rediss:// URL' }).default('redis://127.0.0.1:6379'),
  /** every key and queue offhours creates starts with it; `{offhours}` keeps them in one Redis Cluster slot */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9{}._-]+$/, 'invalid prefix: use letters, digits, "{", "}", ".", "_" and "-"')
    .default('offhours'),
});

export const httpSchema = z.strictObject({
  port: z.number().int().min(0).max(65_535).default(9464),
  host: z.string().min(1).default('0.0.0.0'),
});

const idleTiming = {
  /** how long the signal must say idle, inside a running window, before the target is stopped */
  for: durationSchema,
  /** how often the signal is read */
  every: durationSchema.optional(),
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

export const prometheusIdlePolicySchema = z.strictObject({
  type: z.literal('prometheus'),
  url: httpUrl.describe('Prometheus base URL'),
  query: z.string().min(1).describe('PromQL instant query; idle while its value <= threshold'),
  threshold: z.number(),
  ...idleTiming,
});

export const httpIdlePolicySchema = z.strictObject({
  type: z.literal('http'),
  url: httpUrl,
  field: z.string().min(1).optional().describe('JSON field of the response to compare with threshold'),
  threshold: z.number().optional(),
  ...idleTiming,
});

export const idlePolicySchema = z.discriminatedUnion('type', [prometheusIdlePolicySchema, httpIdlePolicySchema]);

const SCHEDULE_REFERENCE = 'expected the name of an entry under schedules, or a schedule ("always", "never", {running: [...]} or {cron: {start, stop}})';

export const targetSchema = z.strictObject({
  name: nameSchema,
  /** name of an entry under `providers` */
  provider: nameSchema,
  /** the provider's id for the resource (deployment id, service id, server uuid, ...) */
  resource: z.string().min(1),
  schedule: z
    .union([z.string().regex(NAME_PATTERN, SCHEDULE_REFERENCE), scheduleSpecSchema])
    .describe('name of an entry under `schedules`, or an inline schedule'),
  /** name of an entry under `idlePolicies` */
  idle: nameSchema.optional(),
  enabled: z.boolean().default(true),
  description: z.string().optional(),
});

export type RedisConfig = z.output<typeof redisSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type PrometheusIdlePolicyConfig = z.output<typeof prometheusIdlePolicySchema>;
export type HttpIdlePolicyConfig = z.output<typeof httpIdlePolicySchema>;
export type IdlePolicyConfig = z.output<typeof idlePolicySchema>;
export type TargetConfig = z.output<typeof targetSchema>;
/** A provider entry as its definition's configSchema parsed it; the definition narrows it. */
export type ProviderConfig = ProviderCommonConfig;

export interface OffhoursConfig {
  timezone: string;
  redis: RedisConfig;
  http: HttpConfig;
  providers: Record<string, ProviderConfig>;
  schedules: Record<string, ScheduleSpec>;
  idlePolicies: Record<string, IdlePolicyConfig>;
  targets: TargetConfig[];
}

/** The schema of the whole config file; provider entries are a union of the known providers' schemas. */
export function buildConfigSchema(definitions: readonly ProviderDefinition[]) {
  const [first, ...rest] = definitions.map((definition) => definition.configSchema as unknown as z.core.$ZodTypeDiscriminable);
  if (!first) throw new Error('[config] buildConfigSchema needs at least one provider definition');
  // Each configSchema is a strict object with a `type` literal (provider-config.ts); its type says only ZodType.
  const providerSchema = z.discriminatedUnion('type', [first, ...rest]) as unknown as z.ZodType<ProviderConfig>;
  return z.strictObject({
    timezone: timezoneSchema.default('UTC').describe('default timezone of every schedule that names none'),
    redis: redisSchema.prefault({}),
    http: httpSchema.prefault({}),
    providers: z.record(nameSchema, providerSchema).default({}),
    schedules: z.record(nameSchema, scheduleSpecSchema).default({}),
    idlePolicies: z.record(nameSchema, idlePolicySchema).default({}),
    targets: z.array(targetSchema).default([]),
  });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;

// Keeps the hand-written OffhoursConfig honest: it must be what the schema yields.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type ConfigSchemaYieldsOffhoursConfig = Assert<Same<z.output<ConfigSchema>, OffhoursConfig>>;
