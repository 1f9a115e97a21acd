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
  /**
   * Bearer token the override API's writes (PUT/DELETE /api/overrides) require; without one they are
   * open to whoever reaches the port, and the daemon says so at start.
   */
  apiToken: z.string().min(16, 'apiToken: use at least 16 characters').optional(),
});

const positiveDuration = durationSchema.refine((ms) => ms > 0, 'must be longer than 0');

const idleTiming = {
  /** how long the signal must say idle, inside a running window while the target runs, before the target is stopped */
  for: durationSchema.describe('how long consecutive readings must say idle, inside a running window, before an idle stop'),
  /** how often the signal is read (default 1m) */
  every: positiveDuration.optional().describe('how often the signal is read (default 1m)'),
  /** each reading moves by up to this much (default a tenth of `every`), so many targets do not query at once */
  jitter: durationSchema.optional().describe('each reading is moved by up to this much, the same for every replica (default a tenth of every)'),
  /** how long one reading may take; a slower one counts as unknown (default 10s) */
  timeout: positiveDuration.optional().describe('a reading slower than this is unknown, which counts as active (default 10s)'),
  wakeOn: z
    .enum(['schedule', 'active'])
    .default('schedule')
    .describe('schedule: stopped for idleness until the next scheduled start or an override; active: also started again when the signal reads active'),
  minRunning: durationSchema.optional().describe('no idle stop before the target has been seen running this long'),
  minStopped: durationSchema.optional().describe('with wakeOn: active, no wake before the target has been stopped for idleness this long'),
};

/** Refinements every sampled policy shares: jitter stays inside one sampling interval. */
function checkTiming(policy: { every?: number | undefined; jitter?: number | undefined }, ctx: z.RefinementCtx): void {
  if (policy.jitter !== undefined && policy.jitter >= (policy.every ?? 60_000)) {
    ctx.addIssue({ code: 'custom', path: ['jitter'], message: 'jitter must be shorter than every (the sampling interval, default 1m)' });
  }
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

export const prometheusIdlePolicySchema = z
  .strictObject({
    type: z.literal('prometheus'),
    url: httpUrl.describe('Prometheus base URL'),
    query: z.string().min(1).describe('PromQL instant query; idle while its value <= threshold (the largest, when it returns several series)'),
    threshold: z.number(),
    ...idleTiming,
  })
  .superRefine(checkTiming);

export const httpIdlePolicySchema = z
  .strictObject({
    type: z.literal('http'),
    url: httpUrl,
    field: z.string().min(1).optional().describe('JSON field of the response (a path such as data.connections); idle while it is <= threshold'),
    threshold: z.number().optional(),
    idleStatus: z
      .array(z.number().int().min(100).max(599))
      .min(1)
      .optional()
      .describe('without field: the HTTP statuses that mean idle; another 2xx means active'),
    ...idleTiming,
  })
  .superRefine((policy, ctx) => {
    checkTiming(policy, ctx);
    if (policy.field !== undefined && policy.threshold === undefined) ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'threshold is required with field (idle while the field is <= threshold)' });
    if (policy.field !== undefined && policy.idleStatus !== undefined) ctx.addIssue({ code: 'custom', path: ['idleStatus'], message: 'give either field (and threshold) or idleStatus, not both' });
    if (policy.field === undefined && policy.idleStatus === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'an http idle policy needs field and threshold (idle while the JSON field is <= threshold) or idleStatus (the statuses that mean idle)' });
    }
  });

/** ClickHouse's own idle scaling, set through its API at startup: the service scales itself to zero. */
export const clickhouseNativeIdlePolicySchema = z.strictObject({
  type: z.literal('clickhouse-native'),
  idleTimeoutMinutes: z.number().int().min(5).describe('minutes without queries before ClickHouse idles the service'),
  idleScaling: z.boolean().default(true).describe('false turns ClickHouse idle scaling off'),
});

export const idlePolicySchema = z.discriminatedUnion('type', [prometheusIdlePolicySchema, httpIdlePolicySchema, clickhouseNativeIdlePolicySchema]);

/**
 * What one hour of a running resource costs, in whatever currency the user bills in: the basis of the
 * savings estimate. Allowed on a target and, as the default of its targets, on a provider entry.
 */
export const costPerHourSchema = z
  .number()
  .nonnegative()
  .describe('what one hour of the resource running costs (any currency); stopped hours times this is the estimated saving');

const SCHEDULE_REFERENCE =
  'expected the name of an entry under schedules, or a schedule ("always", "never", {running: [...]}, {cron: {start, stop}}, or a peer form such as "Mon-Fri 07:30-20:30 Europe/Berlin")';

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
  /** overrides the provider entry's costPerHour */
  costPerHour: costPerHourSchema.optional(),
});

export type RedisConfig = z.output<typeof redisSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type PrometheusIdlePolicyConfig = z.output<typeof prometheusIdlePolicySchema>;
export type HttpIdlePolicyConfig = z.output<typeof httpIdlePolicySchema>;
export type ClickhouseNativeIdlePolicyConfig = z.output<typeof clickhouseNativeIdlePolicySchema>;
/** A policy whose signal offhours reads itself (sampled every `every`). */
export type SampledIdlePolicyConfig = PrometheusIdlePolicyConfig | HttpIdlePolicyConfig;
export type IdlePolicyConfig = z.output<typeof idlePolicySchema>;
export type TargetConfig = z.output<typeof targetSchema>;
/** A provider entry as its definition's configSchema parsed it; the definition narrows it. */
export type ProviderConfig = ProviderCommonConfig & { costPerHour?: number | undefined };

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
  const [first, ...rest] = definitions.map(withCostPerHour);
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

/**
 * costPerHour is offhours' business, not the provider's: it joins every provider entry here, so the
 * adapters' schemas (and their refinements, which safeExtend keeps) stay as their folders define them.
 */
function withCostPerHour(definition: ProviderDefinition): z.core.$ZodTypeDiscriminable {
  const schema: unknown = definition.configSchema;
  if (!(schema instanceof z.ZodObject)) throw new Error(`[config] the configSchema of provider type "${definition.type}" must be a zod object`);
  return schema.safeExtend({ costPerHour: costPerHourSchema.optional().describe('default costPerHour of the targets of this provider entry') });
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>;

// Keeps the hand-written OffhoursConfig honest: it must be what the schema yields.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
type ConfigSchemaYieldsOffhoursConfig = Assert<Same<z.output<ConfigSchema>, OffhoursConfig>>;
