import type { ProviderDefinition } from '../provider.ts';
import { createUpcloudAdapter, UPCLOUD_CAPABILITIES, UPCLOUD_DEFAULT_BASE_URL, UPCLOUD_DEFAULT_LIMITS } from './upcloud-adapter.ts';
import { upcloudConfigSchema, type UpcloudConfig } from './upcloud-schemas.ts';
import { createUpcloudSimulator } from './upcloud-simulator.ts';

export const upcloudDefinition: ProviderDefinition<UpcloudConfig> = {
  type: 'upcloud',
  title: 'UpCloud servers',
  defaultBaseUrl: UPCLOUD_DEFAULT_BASE_URL,
  defaultLimits: UPCLOUD_DEFAULT_LIMITS,
  // Were UpCloud to limit requests, it would count them per account (token or sub-account), not per server.
  defaultLimitScope: 'provider',
  capabilities: UPCLOUD_CAPABILITIES,
  rawStates: { running: 'started', stopped: 'stopped' },
  configSchema: upcloudConfigSchema,
  secretPaths: ['credentials.token', 'credentials.username', 'credentials.password'],
  create: createUpcloudAdapter,
  createSimulator: createUpcloudSimulator,
};
