// A provider definition for config tests, so they do not depend on any real provider's schema.
import { z } from 'zod';
import type { ProviderDefinition } from '../../src/providers/provider.ts';
import { providerCommonShape } from '../../src/providers/provider-config.ts';

const fakeConfigSchema = z.strictObject({
  ...providerCommonShape,
  type: z.literal('fake'),
  credentials: z.strictObject({
    // Echoes its input on purpose: the loader must keep it out of error messages anyway.
    token: z.string().refine((token) => token.startsWith('tk-'), { error: (issue) => `token "${String(issue.input)}" must start with tk-` }),
  }),
  region: z.enum(['eu', 'us']).optional(),
});

const notUsed = () => {
  throw new Error('not used by config tests');
};

export const fakeDefinition: ProviderDefinition<z.output<typeof fakeConfigSchema>> = {
  type: 'fake',
  title: 'Fake provider',
  defaultBaseUrl: 'https://fake.invalid/api',
  defaultLimits: { start: { max: 1, perMs: 3_600_000 } },
  defaultLimitScope: 'resource',
  capabilities: { reportsTransitions: true, batchStatus: false },
  rawStates: { running: 'on', stopped: 'off' },
  configSchema: fakeConfigSchema,
  secretPaths: ['credentials.token'],
  create: notUsed,
  createSimulator: notUsed,
};

export const otherDefinition: ProviderDefinition = {
  ...fakeDefinition,
  type: 'other',
  configSchema: z.strictObject({ ...providerCommonShape, type: z.literal('other'), credentials: z.strictObject({ password: z.string() }) }),
  secretPaths: ['credentials.password'],
};

export const definitions = [fakeDefinition, otherDefinition] as const;
