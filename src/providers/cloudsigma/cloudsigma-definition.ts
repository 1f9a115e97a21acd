import type { ProviderDefinition } from '../provider.ts';
import { CLOUDSIGMA_BASE_URL_TEMPLATE, CLOUDSIGMA_CAPABILITIES, CLOUDSIGMA_DEFAULT_LIMITS, createCloudsigmaAdapter } from './cloudsigma-adapter.ts';
import { cloudsigmaConfigSchema, type CloudsigmaConfig } from './cloudsigma-schemas.ts';
import { createCloudsigmaSimulator } from './cloudsigma-simulator.ts';

export const cloudsigmaDefinition: ProviderDefinition<CloudsigmaConfig> = {
  type: 'cloudsigma',
  title: 'CloudSigma servers',
  // a template: each location has its own endpoint, so an entry names its location (or a baseUrl)
  defaultBaseUrl: CLOUDSIGMA_BASE_URL_TEMPLATE,
  defaultLimits: CLOUDSIGMA_DEFAULT_LIMITS,
  defaultLimitScope: 'provider',
  // API 2.0's; an entry with apiVersion "1.0" gets an adapter without transitional states
  capabilities: CLOUDSIGMA_CAPABILITIES,
  rawStates: { running: 'running', stopped: 'stopped' },
  configSchema: cloudsigmaConfigSchema,
  secretPaths: ['credentials.username', 'credentials.password'],
  create: createCloudsigmaAdapter,
  createSimulator: createCloudsigmaSimulator,
};
