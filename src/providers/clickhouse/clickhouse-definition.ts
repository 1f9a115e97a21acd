import type { ProviderDefinition } from '../provider.ts';
import { CLICKHOUSE_CAPABILITIES, CLICKHOUSE_DEFAULT_BASE_URL, CLICKHOUSE_DEFAULT_LIMITS, createClickhouseAdapter } from './clickhouse-adapter.ts';
import { clickhouseConfigSchema, type ClickhouseConfig } from './clickhouse-schemas.ts';
import { createClickhouseSimulator } from './clickhouse-simulator.ts';

export const clickhouseDefinition: ProviderDefinition<ClickhouseConfig> = {
  type: 'clickhouse',
  title: 'ClickHouse Cloud (services)',
  defaultBaseUrl: CLICKHOUSE_DEFAULT_BASE_URL,
  defaultLimits: CLICKHOUSE_DEFAULT_LIMITS,
  defaultLimitScope: 'provider',
  capabilities: CLICKHOUSE_CAPABILITIES,
  rawStates: { running: 'running', stopped: 'stopped' },
  configSchema: clickhouseConfigSchema,
  secretPaths: ['credentials.keyId', 'credentials.keySecret'],
  create: createClickhouseAdapter,
  createSimulator: createClickhouseSimulator,
};
