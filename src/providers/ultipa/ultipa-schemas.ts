import { z } from 'zod';
import { providerCommonShape } from '../provider-config.ts';
import { durationSchema } from '../../util/duration.ts';

export type UltipaResourceKind = 'instance' | 'cluster';

/** The field names of each API generation: v4 instances, and the newer clusters (Powerhouse / Blaze). */
export const ULTIPA_FIELDS = {
  instance: { ids: 'instanceIds', id: 'instanceId', state: 'instanceState' },
  cluster: { ids: 'clusterIds', id: 'clusterId', state: 'clusterState' },
} as const satisfies Record<UltipaResourceKind, { ids: string; id: string; state: string }>;

/** The most ids one `POST /state` carries (the adapter splits larger batches). */
export const ULTIPA_MAX_IDS_PER_READ = 100;

/** A base URL may name the API root (`.../open/dbaas/v1`) or, as Ultipa's pages do, the kind's own base. */
const KIND_SUFFIX = /\/(instance|cluster)\/*$/;

/** The API root of a base URL: a trailing `/instance` or `/cluster` is the kind, not part of the root. */
export function ultipaApiRoot(baseUrl: string): string {
  return baseUrl.replace(KIND_SUFFIX, '').replace(/\/+$/, '');
}

/** A provider entry of `type: ultipa` in the config. */
export const ultipaConfigSchema = z
  .strictObject({
    ...providerCommonShape,
    type: z.literal('ultipa'),
    /** `instance` (v4 API, `/instance/...`) or `cluster` (newer accounts, `/cluster/...`) */
    resourceKind: z.enum(['instance', 'cluster']).default('instance'),
    /** sent as the `api_key` header */
    credentials: z.strictObject({ apiKey: z.string().min(1) }),
    /** how concurrent status reads are coalesced into one `POST /state` */
    statusBatch: z
      .strictObject({
        /** how long the first read of a batch waits for others to join it */
        window: durationSchema.default(5),
        /** ids per request; lower it should Ultipa refuse long lists */
        maxIds: z.number().int().min(1).max(ULTIPA_MAX_IDS_PER_READ).default(ULTIPA_MAX_IDS_PER_READ),
      })
      .prefault({}),
  })
  .superRefine((entry, ctx) => {
    const named = entry.baseUrl ? KIND_SUFFIX.exec(entry.baseUrl)?.[1] : undefined;
    if (named !== undefined && named !== entry.resourceKind) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: `baseUrl ends with /${named} but resourceKind is "${entry.resourceKind}" (give the API root, or set resourceKind: ${named})`,
      });
    }
  });
export type UltipaConfig = z.output<typeof ultipaConfigSchema>;

/** Ultipa writes codes as numbers; a numeric string is read the same rather than taken for garbage. */
const codeSchema = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

/** Every answer, success or error: `{code, message, data}`; code 200 is success. */
export const ultipaEnvelopeSchema = z.looseObject({
  code: codeSchema,
  message: z.string().nullish(),
  data: z.unknown().optional(),
});
export type UltipaEnvelope = z.output<typeof ultipaEnvelopeSchema>;

export interface UltipaStateEntry {
  id: string;
  state: string;
}

/** `data` of `POST /state`: one entry per known id, `{instanceId, instanceState, name}` or the cluster names. */
export function ultipaStatesSchema(kind: UltipaResourceKind): z.ZodType<UltipaStateEntry[]> {
  const fields = ULTIPA_FIELDS[kind];
  return z.array(
    z
      .looseObject({ [fields.id]: z.string().min(1), [fields.state]: z.string().min(1), name: z.string().nullish() })
      .transform((entry): UltipaStateEntry => ({ id: entry[fields.id] as string, state: entry[fields.state] as string })),
  );
}
