// The provider-native idle policy against the ClickHouse simulator, with the real limiter and store.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyNativeIdle } from '../../src/idle/clickhouse-native-idle.ts';
import { createClickhouseAdapter } from '../../src/providers/clickhouse/clickhouse-adapter.ts';
import { clickhouseDefinition } from '../../src/providers/clickhouse/clickhouse-definition.ts';
import { createClickhouseSimulator } from '../../src/providers/clickhouse/clickhouse-simulator.ts';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';
import { allRule } from '../../src/queue/limit-rules.ts';
import { createLimiter } from '../../src/queue/limiter.ts';
import type { ManagedTarget } from '../../src/queue/managed-target.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const ORG = '5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b';
const credentials = { keyId: 'native-key-id', keySecret: 'native-key-secret' };
const logger = pino({ level: 'silent' });
let redis: Redis;
let dispatcher: Agent;
const closers: (() => Promise<void>)[] = [];
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
  dispatcher = new Agent();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await redis.quit();
  await dispatcher.close();
});

async function setup(resources: Record<string, string>) {
  const sim: SimulatorServer = createClickhouseSimulator({ credentials: { ...credentials, organizationId: ORG }, resources });
  closers.push(() => sim.close());
  const config = clickhouseDefinition.configSchema.parse({ type: 'clickhouse', organizationId: ORG, credentials, baseUrl: await sim.start() });
  const adapter = createClickhouseAdapter('ch', config, { logger, dispatcher });
  const prefix = `t-${randomUUID()}`;
  const deps = { prefix, limiter: createLimiter(redis), store: createTargetStore(redis, prefix), logger };
  const target = (resource: string): ManagedTarget => ({
    name: `svc-${resource}`,
    provider: 'ch',
    resource,
    schedule: edgeSchedule('on', 'running', []),
    scheduleName: 'on',
    enabled: true,
    adapter,
    poll: { steadyMs: 60_000, verifyMs: 5_000, timeoutMs: 600_000 },
    idle: 'ch-idle',
  });
  return { sim, adapter, deps, target };
}

const at = new Date('2026-11-23T09:00:00Z');
const policy = { type: 'clickhouse-native' as const, idleTimeoutMinutes: 15, idleScaling: true };

describe('clickhouse-native idle policy', () => {
  it('sets idle scaling through the scaling API and keeps what ClickHouse reported', async () => {
    const { sim, deps, target } = await setup({ s1: 'running' });
    const outcome = await applyNativeIdle(target('s1'), policy, at, deps);
    expect(outcome).toEqual({ kind: 'applied', record: { at: at.toISOString(), idleScaling: true, idleTimeoutMinutes: 15, state: 'running', error: null } });
    expect(sim.requests.filter((r) => r.method === 'PATCH')).toMatchObject([{ path: `/v1/organizations/${ORG}/services/s1/scaling`, body: '{"idleScaling":true,"idleTimeoutMinutes":15}', status: 200 }]);
    expect((await deps.store.idleFor(['svc-s1'])).get('svc-s1')?.native).toEqual(outcome.kind === 'applied' ? outcome.record : null);
  });

  it('waits for the key budget instead of sending over it', async () => {
    const { sim, adapter, deps, target } = await setup({ s1: 'running' });
    const rule = allRule(deps.prefix, adapter)!;
    for (let i = 0; i < rule.max; i++) await deps.limiter.take([rule], at, `other-${i}`);
    const outcome = await applyNativeIdle(target('s1'), policy, at, deps);
    expect(outcome).toMatchObject({ kind: 'limited' });
    expect(sim.requests).toEqual([]);
  });

  it('a refused setting is recorded with the provider words and not retried', async () => {
    const { deps, target } = await setup({ s1: 'running' });
    const outcome = await applyNativeIdle(target('missing'), policy, at, deps);
    expect(outcome).toMatchObject({ kind: 'failed', retry: false });
    const native = (await deps.store.idleFor(['svc-missing'])).get('svc-missing')?.native;
    expect(native).toMatchObject({ idleScaling: null, error: expect.stringMatching(/^\[ch\] 404 on PATCH .*\/services\/missing\/scaling: .*not found/) });
    expect(native?.error).not.toContain(credentials.keySecret);
  });
});
