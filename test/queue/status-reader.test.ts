// Stopped time and estimated savings: accrued in Redis against the previous observation, so replicas
// (each with its own reader) add up to the target's stopped time and never count a stretch twice.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { ObservedState, ProviderAdapter } from '../../src/providers/provider.ts';
import { createLimiter } from '../../src/queue/limiter.ts';
import type { ManagedTarget } from '../../src/queue/managed-target.ts';
import { createStatusReader } from '../../src/queue/status-reader.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.quit();
});

/** An adapter whose resource is in whatever state the test last set. */
function scriptedAdapter(name: string): ProviderAdapter & { state: ObservedState } {
  const adapter = {
    name,
    type: 'fake',
    limits: {},
    limitScope: 'resource' as const,
    capabilities: { reportsTransitions: true, batchStatus: false },
    state: 'stopped' as ObservedState,
    status: async () => ({ state: adapter.state, raw: adapter.state }),
    start: async () => ({ kind: 'accepted' as const }),
    stop: async () => ({ kind: 'accepted' as const }),
    close: async () => {},
  };
  return adapter;
}

function target(adapter: ProviderAdapter, costPerHour?: number): ManagedTarget {
  return {
    name: 'db',
    provider: adapter.name,
    resource: 'r-1',
    schedule: edgeSchedule('on', 'running', []),
    scheduleName: 'on',
    enabled: true,
    adapter,
    poll: { steadyMs: 60_000, verifyMs: 5_000, timeoutMs: 1_800_000 },
    ...(costPerHour === undefined ? {} : { costPerHour }),
  };
}

/** One daemon's reader: its own metrics registry, the shared Redis. */
function replica(prefix: string) {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const store = createTargetStore(redis, prefix);
  const read = createStatusReader({ prefix, limiter: createLimiter(redis), store, metrics, logger: pino({ level: 'silent' }), now: () => 0 });
  const value = async (name: string) => (await registry.getSingleMetric(name)!.get()).values.find((series) => series.labels.target === 'db')?.value;
  return { read, store, value };
}

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 23, 20, minutes));

describe('stopped time and estimated savings', () => {
  it('adds the stretch between two stopped readings, priced at the target cost per hour, in metrics and in Redis', async () => {
    const prefix = `t-${randomUUID()}`;
    const adapter = scriptedAdapter('emqx');
    const { read, store, value } = replica(prefix);
    const db = target(adapter, 2);

    await read(db, at(0), 'j1');
    expect(await value('offhours_target_stopped_seconds_total')).toBe(0);
    expect(await value('offhours_estimated_savings_total')).toBe(0);
    await read(db, at(30), 'j2');
    adapter.state = 'running';
    await read(db, at(45), 'j3'); // stopped → running: the 15 minutes in between are not counted
    adapter.state = 'stopped';
    await read(db, at(50), 'j4');
    await read(db, at(56), 'j5');

    expect(await value('offhours_target_stopped_seconds_total')).toBe(36 * 60);
    expect(await value('offhours_estimated_savings_total')).toBeCloseTo(1.2, 10);
    expect(await store.allSavings()).toEqual(new Map([['db', { stoppedSeconds: 36 * 60, saved: expect.closeTo(1.2, 10) }]]));
  });

  it('counts a stretch once when two replicas read the same target, and ignores a reading older than the last', async () => {
    const prefix = `t-${randomUUID()}`;
    const adapter = scriptedAdapter('emqx');
    const [a, b] = [replica(prefix), replica(prefix)];
    const db = target(adapter, 6);

    await a.read(db, at(0), 'j1');
    await b.read(db, at(10), 'j2');
    await a.read(db, at(20), 'j3');
    await b.read(db, at(15), 'j4'); // late: already covered by the reading at 20

    const seconds = (await a.value('offhours_target_stopped_seconds_total'))! + (await b.value('offhours_target_stopped_seconds_total'))!;
    expect(seconds).toBe(20 * 60);
    expect(await b.value('offhours_estimated_savings_total')).toBeCloseTo(1, 10); // 0..10 at 6/h
    expect((await a.store.allSavings()).get('db')).toEqual({ stoppedSeconds: 20 * 60, saved: expect.closeTo(2, 10) });
  });

  it('keeps stopped time but no savings series for a target without a cost per hour', async () => {
    const prefix = `t-${randomUUID()}`;
    const { read, store, value } = replica(prefix);
    const db = target(scriptedAdapter('emqx'));
    await read(db, at(0), 'j1');
    await read(db, at(60), 'j2');
    expect(await value('offhours_target_stopped_seconds_total')).toBe(3600);
    expect(await value('offhours_estimated_savings_total')).toBeUndefined();
    expect((await store.allSavings()).get('db')).toEqual({ stoppedSeconds: 3600, saved: 0 });
  });
});
