import { z } from 'zod';
import { providerCommonShape } from '../provider-config.ts';

// YAML reads an unquoted `apiVersion: 2.0` as the number 2; it means the same thing.
const apiVersionSchema = z
  .union([z.enum(['2.0', '1.0']), z.literal(2).transform(() => '2.0' as const), z.literal(1).transform(() => '1.0' as const)])
  .default('2.0');

/** A provider entry of `type: cloudsigma` in the config. */
export const cloudsigmaConfigSchema = z
  .strictObject({
    ...providerCommonShape,
    type: z.literal('cloudsigma'),
    /** account email and password (HTTP Basic) */
    credentials: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
    /** 2.0 is the current JSON API; 1.0 the deprecated text/plain one */
    apiVersion: apiVersionSchema,
    /** where the servers live (zrh, fra, lon, ...): picks the endpoint when baseUrl is absent */
    location: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'a CloudSigma location code such as zrh, fra or lon')
      .optional(),
    /** `shutdown`: ACPI, the guest powers itself off; `stop`: hard, "pull the cord" */
    stopType: z.enum(['shutdown', 'stop']).default('shutdown'),
  })
  .refine((entry) => entry.baseUrl !== undefined || entry.location !== undefined, {
    message: 'set location (e.g. zrh) or baseUrl: CloudSigma has no single public endpoint',
    path: ['location'],
  });
export type CloudsigmaConfig = z.output<typeof cloudsigmaConfigSchema>;
export type CloudsigmaApiVersion = CloudsigmaConfig['apiVersion'];
/** What the API calls each action: `start`, and `stop` (hard) or `shutdown` (ACPI). */
export type CloudsigmaVerb = 'start' | 'stop' | 'shutdown';

/** 2.0 `GET /servers/{uuid}/` → 200, the whole server definition; `runtime` is null while stopped. */
export const cloudsigmaServerSchema = z.looseObject({
  uuid: z.string().optional(),
  status: z.string().min(1),
  runtime: z.unknown().optional(),
});

/** 2.0 `POST /servers/{uuid}/action/?do=...` → 202. */
export const cloudsigmaActionSchema = z.looseObject({
  action: z.string(),
  result: z.literal('success'),
  uuid: z.string().optional(),
});

/** 2.0 error bodies: a list, each with a type from a closed set (kept open here) and a message. */
export const cloudsigmaErrorSchema = z
  .array(
    z.looseObject({
      error_type: z.string(),
      error_message: z.string().nullable().optional(),
      error_point: z.string().nullable().optional(),
    }),
  )
  .min(1);
export type CloudsigmaErrorBody = z.output<typeof cloudsigmaErrorSchema>;

/** 1.0 `GET /servers/{uuid}/info` as key/value pairs. */
export const legacyServerSchema = z.looseObject({ status: z.string().min(1), server: z.string().optional() });

/** 1.0 start answers 200 with the server's key/value pairs, or (per its own example) an empty 204. */
export const legacyActionSchema = z.looseObject({ status: z.string().min(1).optional() });

const KEY = /^[A-Za-z0-9_:.-]+$/;

/**
 * API 1.0's text/plain body: one `key value` pair per line (the value may be empty or hold spaces).
 * Anything else (JSON, HTML, a cut-off answer) is not such a body: undefined, never a partial parse.
 */
export function parseKeyValueBody(text: string): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const space = line.search(/[ \t]/);
    const key = space < 0 ? line : line.slice(0, space);
    if (!KEY.test(key)) return undefined;
    pairs[key] = space < 0 ? '' : line.slice(space).trim();
  }
  return Object.keys(pairs).length > 0 ? pairs : undefined;
}

/** Key/value pairs as API 1.0 writes them. */
export function formatKeyValueBody(pairs: Record<string, string | number | boolean>): string {
  return `${Object.entries(pairs)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join('\n')}\n`;
}
