import { describe } from 'vitest';
import { CLOUDSIGMA_LEGACY_CAPABILITIES } from '../../../src/providers/cloudsigma/cloudsigma-adapter.ts';
import { cloudsigmaDefinition } from '../../../src/providers/cloudsigma/cloudsigma-definition.ts';
import { createCloudsigmaSimulator } from '../../../src/providers/cloudsigma/cloudsigma-simulator.ts';
import type { SimulatorOptions } from '../../../src/providers/simulator-kit.ts';
import { describeProviderContract } from '../provider-contract.ts';

const credentials = { username: 'contract@example.com', password: 'contract-password-61d0ae' };
const badCredentials = { username: credentials.username, password: 'wrong-password-2b94f7' };
const secrets = [credentials, badCredentials].map(({ username, password }) => Buffer.from(`${username}:${password}`).toString('base64'));
// The documented 10,000 per minute would make the throttle case send 10,000 reads; the simulator
// test checks that number, the contract only needs a window to run out.
const requestsPerMinute = 25;
const createSimulator = (options: SimulatorOptions) => createCloudsigmaSimulator({ ...options, requestsPerMinute });
const missing = '00000000-0000-4000-8000-000000000000';

describe('API 2.0', () => {
  describeProviderContract({
    definition: cloudsigmaDefinition,
    createSimulator,
    credentials,
    badCredentials,
    config: (baseUrl, { username, password }) => ({ type: 'cloudsigma', baseUrl, credentials: { username, password } }),
    resources: {
      running: { id: '5b1c2b4e-7f0a-4c1e-9d55-0c3f1f3b8a11', raw: 'running' },
      stopped: { id: 'c0a8e5d2-31b4-4f6e-8a7d-6e2b9c4d1f22', raw: 'stopped' },
      missing,
    },
    // 403 "Cannot start guest in state "started"" and its stop twin say so
    alreadyInState: { kind: 'outcome' },
    statusReadsBeforeThrottle: requestsPerMinute,
    secrets,
  });
});

describe('API 1.0', () => {
  describeProviderContract({
    definition: cloudsigmaDefinition,
    createSimulator,
    credentials,
    badCredentials,
    config: (baseUrl, { username, password }) => ({ type: 'cloudsigma', apiVersion: '1.0', baseUrl, credentials: { username, password } }),
    resources: {
      running: { id: '9e4d7a10-2c3b-4d5e-8f60-718293a4b5c6', raw: 'active' },
      stopped: { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', raw: 'stopped' },
      missing,
    },
    // 1.0 documents no "already in state" answer; by default the simulator says busy (409)
    alreadyInState: { kind: 'error', failure: 'conflict' },
    statusReadsBeforeThrottle: requestsPerMinute,
    capabilities: CLOUDSIGMA_LEGACY_CAPABILITIES,
    secrets,
  });
});
