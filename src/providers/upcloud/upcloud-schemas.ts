import { z } from 'zod';
import { durationSchema } from '../../util/duration.ts';
import { providerCommonShape } from '../provider-config.ts';

/** UpCloud's stop `timeout` is whole seconds, 1 to 600. */
export const softStopTimeoutSchema = durationSchema.refine(
  (ms) => ms >= 1_000 && ms <= 600_000 && ms % 1_000 === 0,
  'softStopTimeout must be whole seconds from 1s to 600s',
);

/** A provider entry of `type: upcloud` in the config. */
export const upcloudConfigSchema = z.strictObject({
  ...providerCommonShape,
  type: z.literal('upcloud'),
  /** an API token (Bearer), or an API sub-account's username and password (HTTP Basic) */
  credentials: z.union([
    z.strictObject({ token: z.string().min(1) }),
    z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
  ]),
  /** soft: ACPI shutdown, hard after softStopTimeout if the guest ignores it; hard: pull the plug */
  stopType: z.enum(['soft', 'hard']).default('soft'),
  /** how long a soft stop waits for the guest before UpCloud stops it hard (unused with stopType hard) */
  softStopTimeout: softStopTimeoutSchema.default(60_000),
});
export type UpcloudConfig = z.output<typeof upcloudConfigSchema>;

/**
 * `GET /server/{uuid}` → 200, and what `POST .../start|stop` answer. Only `state` is needed; the other
 * documented fields are kept loosely.
 */
export const upcloudServerBodySchema = z.looseObject({
  server: z.looseObject({
    uuid: z.string().optional(),
    hostname: z.string().optional(),
    title: z.string().optional(),
    zone: z.string().optional(),
    state: z.string().min(1),
  }),
});
export type UpcloudServerBody = z.output<typeof upcloudServerBodySchema>;

/** The classic error envelope (Content-Type application/json). */
export const upcloudErrorSchema = z.looseObject({
  error: z.looseObject({ error_code: z.string().min(1), error_message: z.string().optional() }),
});

/** Newer endpoints: RFC 7807 (Content-Type application/problem+json). */
export const upcloudProblemSchema = z.looseObject({
  type: z.string().min(1),
  title: z.string().optional(),
  status: z.number().optional(),
  correlation_id: z.string().optional(),
});

/** `POST /server/{uuid}/stop` body; `timeout` is a string on the wire. */
export const upcloudStopRequestSchema = z.strictObject({
  stop_server: z.strictObject({
    stop_type: z.string().optional(),
    timeout: z.unknown().optional(),
  }),
});

/** `POST /server/{uuid}/start` body (`{"server": {}}`; host placement options are not used here). */
export const upcloudStartRequestSchema = z.strictObject({ server: z.looseObject({}) });
