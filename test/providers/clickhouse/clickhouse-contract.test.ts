import { clickhouseDefinition } from '../../../src/providers/clickhouse/clickhouse-definition.ts';
import { createClickhouseSimulator } from '../../../src/providers/clickhouse/clickhouse-simulator.ts';
import { describeProviderContract } from '../provider-contract.ts';

const organizationId = '7a1c3e5f-2b4d-4f6a-8c0e-9d1b3f5a7c2e';
const credentials = { keyId: 'contract-key-id-4f1e9a', keySecret: 'contract-key-secret-93ab0c' };
const badCredentials = { keyId: credentials.keyId, keySecret: 'wrong-key-secret-77c2d1' };

describeProviderContract({
  definition: clickhouseDefinition,
  createSimulator: (options) => createClickhouseSimulator({ ...options, credentials: { ...options.credentials, organizationId } }),
  credentials,
  badCredentials,
  config: (baseUrl, { keyId, keySecret }) => ({ type: 'clickhouse', baseUrl, organizationId, credentials: { keyId, keySecret } }),
  resources: {
    running: { id: '1b2c3d4e-0000-4000-8000-000000000001', raw: 'running' },
    stopped: { id: '1b2c3d4e-0000-4000-8000-000000000002', raw: 'stopped' },
    missing: '1b2c3d4e-0000-4000-8000-00000000dead',
  },
  // A 409 naming the requested state as the current one is success: the adapter says `already`.
  alreadyInState: { kind: 'outcome' },
  statusReadsBeforeThrottle: 10,
  secrets: [credentials, badCredentials].map(({ keyId, keySecret }) => Buffer.from(`${keyId}:${keySecret}`).toString('base64')),
});
