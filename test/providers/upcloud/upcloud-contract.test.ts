import { describe } from 'vitest';
import { upcloudDefinition } from '../../../src/providers/upcloud/upcloud-definition.ts';
import { createUpcloudSimulator } from '../../../src/providers/upcloud/upcloud-simulator.ts';
import { describeProviderContract } from '../provider-contract.ts';

const token = { token: 'contract-token-6b1d0e' };
const basic = { username: 'contract-user-2c7a', password: 'contract-password-91fe3d' };
const wrongPassword = { ...basic, password: 'wrong-password-5e0b' };
const base64 = ({ username, password }: { username: string; password: string }) => Buffer.from(`${username}:${password}`).toString('base64');

for (const [auth, credentials, badCredentials, secrets] of [
  ['Bearer token', token, { token: 'wrong-token-0a4c77' }, []],
  ['HTTP Basic', basic, wrongPassword, [base64(basic), base64(wrongPassword)]],
] as const) {
  describe(auth, () => {
    describeProviderContract({
      definition: upcloudDefinition,
      createSimulator: createUpcloudSimulator,
      credentials,
      badCredentials,
      config: (baseUrl, given) => ({ type: 'upcloud', baseUrl, credentials: given }),
      resources: {
        running: { id: '00ff2a9e-2e38-449e-8dee-7986a127d035', raw: 'started' },
        stopped: { id: '00104021-153d-4b0e-a4ec-730a5556442c', raw: 'stopped' },
        missing: '00000000-0000-4000-8000-000000000000',
      },
      // 409 SERVER_STATE_ILLEGAL with a message that does not name the state: the caller reads the status to tell.
      alreadyInState: { kind: 'error', failure: 'conflict' },
      // UpCloud documents no limit; the simulator plays an undocumented one so a 429 can be seen.
      documentsLimits: false,
      switches: { requestsPerMinute: '20' },
      statusReadsBeforeThrottle: 20,
      secrets: [...secrets],
    });
  });
}
