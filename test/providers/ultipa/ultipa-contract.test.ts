import { describe } from 'vitest';
import { ultipaDefinition } from '../../../src/providers/ultipa/ultipa-definition.ts';
import { createUltipaSimulator } from '../../../src/providers/ultipa/ultipa-simulator.ts';
import { describeProviderContract } from '../provider-contract.ts';

const credentials = { apiKey: 'contract-api-key-61d0f3' };
const badCredentials = { apiKey: 'revoked-api-key-2b94ce' };
const resources = { running: { id: 'ultipa-abc456', raw: 'RUNNING' }, stopped: { id: 'ultipa-abc123', raw: 'STOPPED' }, missing: 'ultipa-nope00' };

// Both API generations, and both readings of the HTTP status Ultipa sends with an error code.
for (const resourceKind of ['instance', 'cluster'] as const) {
  for (const errorStatus of ['ok', 'code'] as const) {
    describe(`${resourceKind}s, error codes with HTTP ${errorStatus === 'ok' ? '200' : 'status of the code'}`, () => {
      describeProviderContract({
        definition: ultipaDefinition,
        createSimulator: createUltipaSimulator,
        credentials,
        badCredentials,
        config: (baseUrl, { apiKey }) => ({ type: 'ultipa', baseUrl, resourceKind, credentials: { apiKey } }),
        resources,
        // Ultipa answers 405 for the state; one status read shows the resource is there already.
        alreadyInState: { kind: 'outcome' },
        statusReadsBeforeThrottle: 80,
        switches: { errorStatus },
      });
    });
  }
}
