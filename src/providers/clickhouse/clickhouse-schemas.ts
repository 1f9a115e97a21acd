import { z } from 'zod';
import { providerCommonShape } from '../provider-config.ts';

/** A provider entry of `type: clickhouse` in the config. */
export const clickhouseConfigSchema = z.strictObject({
  ...providerCommonShape,
  type: z.literal('clickhouse'),
  /** the organization owning the services (Cloud console → Organization → Details); part of every path */
  organizationId: z.guid({ error: 'organizationId must be the organization UUID shown in the ClickHouse Cloud console' }),
  /** API key ID and secret (Basic auth) */
  credentials: z.strictObject({ keyId: z.string().min(1), keySecret: z.string().min(1) }),
});
export type ClickhouseConfig = z.output<typeof clickhouseConfigSchema>;

/**
 * `Service` as the API returns it. Only `state` is needed to reconcile; the scaling fields are read by
 * `setIdleScaling`. The other documented fields (name, provider, region, endpoints, tier, ...) pass through.
 */
export const clickhouseServiceSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  state: z.string().min(1),
  idleScaling: z.boolean().optional(),
  idleTimeoutMinutes: z.number().optional(),
});
export type ClickhouseService = z.output<typeof clickhouseServiceSchema>;

/** Every successful answer: `{status: 200, requestId, result: Service}`. */
export const clickhouseServiceEnvelopeSchema = z.looseObject({
  status: z.number().int().min(200).max(299).optional(),
  requestId: z.string().optional(),
  result: clickhouseServiceSchema,
});

/** Error answers: `{status, error: "CONFLICT: ... Current state: 'running'", requestId}`. */
export const clickhouseErrorSchema = z.looseObject({
  status: z.number().optional(),
  error: z.string().optional(),
  requestId: z.string().optional(),
});

/** Body of `PATCH .../services/{id}/state`; `awake` wakes an idle service. */
export const clickhouseStateCommandSchema = z.strictObject({ command: z.enum(['start', 'stop', 'awake']) });
export type ClickhouseStateCommand = z.output<typeof clickhouseStateCommandSchema>['command'];

/** ClickHouse's own idle policy (PATCH .../services/{id}/scaling): scale to zero after `idleTimeoutMinutes` without queries. */
export const clickhouseIdleScalingSchema = z.strictObject({
  idleScaling: z.boolean(),
  idleTimeoutMinutes: z.number().int().min(5, 'idleTimeoutMinutes must be at least 5'),
});
export type ClickhouseIdleScaling = z.output<typeof clickhouseIdleScalingSchema>;
