// The sampler on real Redis: readings through the idle clock, the limiter's real budgets, the idle
// record, audit trail and metrics; the signal and the action queue are scripted.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compareWithThreshold, unknownReading, type IdleReading } from '../../src/idle/idle-reading.ts';
import { createIdleSampler } from '../../src/idle/idle-sampler.ts';
import type { IdleSignal } from '../../src/idle/idle-signal.ts';
import { resolveIdlePolicy } from '../../src/idle/idle-policy.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { ActionableDecision } from '../../src/planner/decide.ts';
import type { ProviderAdapter } from '../../src/providers/provider.ts';
import { operationRule } from '../../src/queue/limit-rules.ts';
import { createLimiter } from '../../src/queue/limiter.ts';
import type { ManagedTarget } from '../../src/queue/managed-target.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';
import { manualClock } from '../../src/util/clock.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.quit();
});

const MINUTE = 60_000;
const adapter: ProviderAdapter = {
  name: 'emqx',
  type: 'emqx',
  limits: { start: { max: 1, perMs: 60 * MINUTE }, stop: { max: 1, perMs: 60 * MINUTE } },
  limitScope: 'resource',
  capabilities: { reportsTransitions: true, batchStatus: false },
  status: async () => ({ state: 'running', raw: 'running' }),
  start: async () => ({ kind: 'accepted' }),
  stop: async () => ({ kind: 'accepted' }),
  close: async () => {},
};
const target: ManagedTarget = {
  name: 'broker',
  provider: 'emqx',
  resource: 'dep-1',
  schedule: edgeSchedule('on', 'running', []),
  scheduleName: 'on',
  enabled: true,
  adapter,
  poll: { steadyMs: 240_000, verifyMs: 30_000, timeoutMs: 1_800_000 },
  idle: 'quiet',
};
const policy = resolveIdlePolicy('quiet', { type: 'prometheus', url: 'http://prom:9090', query: 'up', threshold: 0.1, for: 5 * MINUTE, every: MINUTE, jitter: 0, wakeOn: 'schedule' });

async function setup() {
  const prefix = `t-${randomUUID()}`;
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const store = createTargetStore(redis, prefix);
  const limiter = createLimiter(redis);
  const enqueued: ActionableDecision[] = [];
  const sample = createIdleSampler({ prefix, store, limiter, actions: { enqueueDecisions: async (decisions) => void enqueued.push(...decisions) }, metrics, logger: pino({ level: 'silent' }) });
  const clock = manualClock('2026-11-23T09:00:00Z');
  let next: (at: Date) => IdleReading = (at) => compareWithThreshold(at, 0, 0.1);
  const signal: IdleSignal = { read: async (at) => next(at) };
  await store.setObserved(target.name, { state: 'running', raw: 'running', at: clock.now().toISOString() });
  const read = async (count = 1) => {
    let step;
    for (let i = 0; i < count; i++) {
      step = await sample(target, policy, signal, clock.now());
      clock.advance(policy.everyMs);
    }
    return step!;
  };
  const value = async (name: string, labels: Record<string, string>) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
  return { prefix, store, limiter, clock, enqueued, read, value, answer: (reading: (at: Date) => IdleReading) => (next = reading) };
}

describe('idle sampler', () => {
  it('after the full `for`, stores the idle stop and enqueues it with its reason; counted and audited once', async () => {
    const s = await setup();
    await s.read(5); // 09:00 .. 09:04
    expect(s.enqueued).toEqual([]);
    expect((await s.store.idleFor(['broker'])).get('broker')).toMatchObject({ idleSince: '2026-11-23T09:00:00.000Z', decision: null, last: { verdict: 'idle', value: 0 } });
    await s.read(3); // 09:05 stops; 09:06, 09:07 hold
    expect(s.enqueued).toEqual([{ target: 'broker', desired: 'stopped', since: new Date('2026-11-23T09:05:00Z'), reason: 'idle 5m (value 0 <= 0.1 for 5m)', source: 'idle' }]);
    expect((await s.store.idleFor(['broker'])).get('broker')?.decision).toEqual({ desired: 'stopped', at: '2026-11-23T09:05:00.000Z', reason: 'idle 5m (value 0 <= 0.1 for 5m)' });
    expect(await s.value('offhours_idle_stops_total', { target: 'broker', provider: 'emqx' })).toBe(1);
    expect(await s.value('offhours_idle_signal_value', { target: 'broker' })).toBe(0);
    expect((await s.store.recentAudit(10)).map((event) => [event.event, event.reason])).toEqual([['idle-stop', 'idle 5m (value 0 <= 0.1 for 5m)']]);
  });

  it('an override ends the idle stop: setting one clears it in Redis', async () => {
    const s = await setup();
    await s.read(6);
    await s.store.setOverride('broker', { state: 'running', setAt: s.clock.now().toISOString(), until: new Date(s.clock.now().getTime() + MINUTE).toISOString() });
    expect((await s.store.idleFor(['broker'])).get('broker')?.decision).toBeNull();
  });

  it('holds the stop while the real start budget is spent, and sends it once the budget has room', async () => {
    const s = await setup();
    const startRule = operationRule(s.prefix, adapter, 'start', 'dep-1')!;
    // the start that brought it up, 08:30: no start possible again before 09:30 (+ margin)
    expect(await s.limiter.take([startRule], new Date('2026-11-23T08:30:00Z'), 'start')).toEqual({ granted: true });
    await s.read(25); // due from 09:05, blocked until 09:30:05
    expect(s.enqueued).toEqual([]);
    const blocked = (await s.store.idleFor(['broker'])).get('broker')?.blocked;
    expect(blocked).toMatchObject({ label: 'start-budget', since: '2026-11-23T09:05:00.000Z', until: '2026-11-23T09:30:05.001Z' });
    expect(await s.value('offhours_idle_stops_blocked_total', { target: 'broker', reason: 'start-budget' })).toBe(1);
    expect((await s.store.recentAudit(10)).map((event) => event.event)).toEqual(['idle-stop-blocked']);
    await s.read(2); // 09:25 .. 09:26: still spent
    expect(s.enqueued).toEqual([]);
    await s.read(4); // 09:27 .. 09:30
    expect(s.enqueued).toEqual([]);
    await s.read(); // 09:31: the budget has room again
    expect(s.enqueued).toMatchObject([{ desired: 'stopped', since: new Date('2026-11-23T09:31:00Z'), reason: 'idle 31m (value 0 <= 0.1 for 5m)' }]);
    expect((await s.store.idleFor(['broker'])).get('broker')?.blocked).toBeNull();
  });

  it('unreadable signals count failures by policy and reason and never stop anything', async () => {
    const s = await setup();
    s.answer((at) => unknownReading(at, 'timeout', 'timed out after 10000ms'));
    await s.read(20);
    expect(s.enqueued).toEqual([]);
    expect(await s.value('offhours_idle_signal_failures_total', { policy: 'quiet', reason: 'timeout' })).toBe(20);
    expect(await s.value('offhours_idle_signal_value', { target: 'broker' })).toBeNaN();
    expect((await s.store.idleFor(['broker'])).get('broker')).toMatchObject({ idleSince: null, last: { verdict: 'unknown', detail: 'timed out after 10000ms' } });
  });

  it('a target not seen running starts no idle clock', async () => {
    const s = await setup();
    await s.store.setObserved('broker', { state: 'starting', raw: 'starting', at: s.clock.now().toISOString() });
    await s.read(20);
    expect(s.enqueued).toEqual([]);
    expect((await s.store.idleFor(['broker'])).get('broker')).toMatchObject({ idleSince: null, runningSince: null });
  });
});
