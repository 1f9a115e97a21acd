import { inject } from 'vitest';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';

/**
 * The head of a daemon config on the EMQX simulator: the test Redis under `prefix`, and the provider
 * with the limits of its hour scaled to 3 s. The test appends its own sections (schedules, targets, ...).
 */
export function emqxDaemonYaml(sim: SimulatorServer, prefix: string, poll: { steady: string } = { steady: '1s' }): string {
  return `
redis: { url: "${inject('redisUrl')}", prefix: "${prefix}" }
providers:
  emqx:
    type: emqx
    baseUrl: "${sim.url}"
    credentials: { key: demo-key, secret: demo-secret }
    limits:
      start: { max: 1, per: 3s }
      stop: { max: 1, per: 3s }
      status: { max: 60, per: 3s }
    poll: { steady: ${poll.steady}, verify: 200ms, timeout: 30s }
`;
}
