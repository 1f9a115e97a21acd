import { emqxDefinition } from '../../../src/providers/emqx/emqx-definition.ts';
import { createEmqxSimulator } from '../../../src/providers/emqx/emqx-simulator.ts';
import { describeProviderContract } from '../provider-contract.ts';

const credentials = { key: 'contract-key-4f1e9a', secret: 'contract-secret-93ab0c' };
const badCredentials = { key: credentials.key, secret: 'wrong-secret-77c2d1' };

describeProviderContract({
  definition: emqxDefinition,
  createSimulator: createEmqxSimulator,
  credentials,
  badCredentials,
  config: (baseUrl, { key, secret }) => ({ type: 'emqx', baseUrl, credentials: { key, secret } }),
  resources: { running: { id: 'w41b11c0', raw: 'running' }, stopped: { id: 'x52c22d1', raw: 'stopped' }, missing: 'nope0000' },
  // EMQX answers 422 to an action the state does not allow; the caller reads the status to tell.
  alreadyInState: { kind: 'error', failure: 'conflict' },
  statusReadsBeforeThrottle: 60,
  secrets: [credentials, badCredentials].map(({ key, secret }) => Buffer.from(`${key}:${secret}`).toString('base64')),
});
