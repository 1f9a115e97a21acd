import type { ProviderDefinition } from '../provider.ts';
import { createUltipaAdapter, ULTIPA_CAPABILITIES, ULTIPA_DEFAULT_BASE_URL, ULTIPA_DEFAULT_LIMITS } from './ultipa-adapter.ts';
import { ultipaConfigSchema, type UltipaConfig } from './ultipa-schemas.ts';
import { createUltipaSimulator } from './ultipa-simulator.ts';

export const ultipaDefinition: ProviderDefinition<UltipaConfig> = {
  type: 'ultipa',
  title: 'Ultipa Cloud (instances and clusters)',
  defaultBaseUrl: ULTIPA_DEFAULT_BASE_URL,
  defaultLimits: ULTIPA_DEFAULT_LIMITS,
  defaultLimitScope: 'provider',
  capabilities: ULTIPA_CAPABILITIES,
  rawStates: { running: 'RUNNING', stopped: 'STOPPED' },
  configSchema: ultipaConfigSchema,
  secretPaths: ['credentials.apiKey'],
  create: createUltipaAdapter,
  createSimulator: createUltipaSimulator,
};
