import type { ProviderDefinition } from '../provider.ts';
import { createEmqxAdapter, EMQX_CAPABILITIES, EMQX_DEFAULT_BASE_URL, EMQX_DEFAULT_LIMITS } from './emqx-adapter.ts';
import { emqxConfigSchema, type EmqxConfig } from './emqx-schemas.ts';
import { createEmqxSimulator } from './emqx-simulator.ts';

export const emqxDefinition: ProviderDefinition<EmqxConfig> = {
  type: 'emqx',
  title: 'EMQX Cloud (Dedicated deployments)',
  defaultBaseUrl: EMQX_DEFAULT_BASE_URL,
  defaultLimits: EMQX_DEFAULT_LIMITS,
  defaultLimitScope: 'resource',
  capabilities: EMQX_CAPABILITIES,
  rawStates: { running: 'running', stopped: 'stopped' },
  configSchema: emqxConfigSchema,
  secretPaths: ['credentials.key', 'credentials.secret'],
  create: createEmqxAdapter,
  createSimulator: createEmqxSimulator,
};
