// Redis goes away under a running daemon and comes back: not ready while it lasts, no crash, work carries
// on afterwards.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { startDaemon } from '../src/main.ts';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/util/embedded-redis.ts';
import { loadTestConfig, useDaemonHarness } from './support/daemon-harness.ts';

const harness = useDaemonHarness();

describe('a Redis outage', () => {
  it('is ridden out: /readyz says 503 while it lasts, and a decision made after it is carried out', async () => {
    let redis: EmbeddedRedis = await startEmbeddedRedis();
    harness.defer(async () => redis.stop());
    const port = Number(new URL(redis.url).port);
    const sim = await harness.emqxSimulator({ 'dep-o': 'running' });
    const prefix = `t-${randomUUID()}`;
    const loaded = loadTestConfig(`
redis: { url: "${redis.url}", prefix: "${prefix}" }
http: { port: 0, host: 127.0.0.1 }
providers:
  emqx:
    type: emqx
    baseUrl: "${sim.url}"
    credentials: { key: demo-key, secret: demo-secret }
    limits: { start: { max: 1, per: 3s }, stop: { max: 1, per: 3s }, status: { max: 60, per: 3s } }
    poll: { steady: 1s, verify: 200ms, timeout: 30s }
schedules:
  on: always
targets:
  - { name: o, provider: emqx, resource: dep-o, schedule: on }
`);
    const daemon = await startDaemon({ loaded, logger: pino({ level: 'silent' }), overrideRefreshMs: 100, httpPort: 0 });
    harness.defer(() => daemon.stop());
    const agent = new Agent();
    harness.defer(() => agent.close());
    const readyz = async () => {
      const response = await request(`http://127.0.0.1:${daemon.httpPort}/readyz`, { dispatcher: agent });
      await response.body.dump();
      return response.statusCode;
    };
    await expect.poll(readyz, { timeout: 10_000, interval: 100 }).toBe(200);

    await redis.stop();
    await expect.poll(readyz, { timeout: 15_000, interval: 200 }).toBe(503);

    redis = await startEmbeddedRedis({ port });
    await expect.poll(readyz, { timeout: 20_000, interval: 200 }).toBe(200);

    // the restarted Redis is empty; a decision made now must still reach the provider
    const client = new Redis(redis.url);
    harness.defer(async () => void (await client.quit()));
    const now = new Date();
    await client.hset(`${prefix}:overrides`, 'o', JSON.stringify({ state: 'stopped', setAt: now.toISOString(), until: new Date(now.getTime() + 600_000).toISOString() }));
    await sim.waitForState('dep-o', 'stopped');
    expect(sim.requests.some((r) => r.limited)).toBe(false);
  }, 90_000);
});
