// `any` in the daemon: an ensure job whose decision became `any` ends as superseded and sends nothing; an
// observation of a target whose schedule leaves it alone is never drift; the reconciler enqueues nothing for it.
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { ActionableDecision } from '../../src/planner/decide.ts';
import { createReconciler } from '../../src/planner/reconciler.ts';
import type { ProviderAdapter } from '../../src/providers/provider.ts';
import { createActionProcessor } from '../../src/queue/action-processor.ts';
import { createLimiter } from '../../src/queue/limiter.ts';
import type { ManagedTarget } from '../../src/queue/managed-target.ts';
import type { StatusReader } from '../../src/queue/status-reader.ts';
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

const silent = createLogger({ level: 'silent' });
const calls: string[] = [];
const adapter: ProviderAdapter = {
  name: 'sim',
  type: 'fake',
  limits: {},
  limitScope: 'resource',
  capabilities: { reportsTransitions: true, batchStatus: false },
  status: async () => ({ state: 'running', raw: 'on' }),
  start: async () => (calls.push('start'), { kind: 'accepted' }),
  stop: async () => (calls.push('stop'), { kind: 'accepted' }),
  close: async () => {},
};
// running until 17:00, then the schedule leaves the target alone
const schedule = edgeSchedule('periods', 'running', [{ at: '2026-11-23T17:00:00Z', state: 'any' }]);
const target = (name: string, overrides: Partial<ManagedTarget> = {}): ManagedTarget => ({
  name,
  provider: 'sim',
  resource: `r-${name}`,
  schedule,
  scheduleName: 'periods',
  enabled: true,
  adapter,
  poll: { steadyMs: 60_000, verifyMs: 5_000, timeoutMs: 600_000 },
  ...overrides,
});

function fakeJob(data: Record<string, unknown>): Job {
  return { id: `job-${randomUUID()}`, data, attemptsMade: 0, updateData: async () => {}, moveToDelayed: async () => {} } as unknown as Job;
}

describe('action processor, when the decision is `any`', () => {
  it('ends a waiting ensure job as superseded without reading status or sending anything', async () => {
    const prefix = `t-${randomUUID()}`;
    const store = createTargetStore(redis, prefix);
    const reads: string[] = [];
    const readStatus: StatusReader = async (t) => (reads.push(t.name), { kind: 'observed', observation: { state: 'running', raw: 'on' } });
    const enqueued: ActionableDecision[] = [];
    const processor = createActionProcessor({
      prefix,
      targets: new Map([['vm', target('vm')]]),
      limiter: createLimiter(redis),
      store,
      readStatus,
      queue: { enqueueDecisions: async (decisions) => void enqueued.push(...decisions), enqueueObserve: async () => {}, reviveFailed: async () => false },
      metrics: createMetrics(new Registry()),
      logger: silent,
      now: () => new Date('2026-11-23T17:30:00Z'),
    });
    calls.length = 0;
    // a stop deferred from earlier, whose window opens after the schedule turned to `any`
    const result = await processor(fakeJob({ kind: 'ensure', target: 'vm', desired: 'stopped', since: '2026-11-23T16:00:00Z', reason: 'earlier', phase: 'act', busy: 0, reacts: 0 }), 'token');
    expect(result).toBe('superseded');
    expect(reads).toEqual([]);
    expect(calls).toEqual([]);
    expect((await store.recentAudit(1))[0]).toMatchObject({ event: 'superseded', target: 'vm', reason: 'schedule periods: any' });

    // and an observation finds no drift, whatever the target's state
    expect(await processor(fakeJob({ kind: 'observe', target: 'vm', slot: 1 }), 'token')).toBe('observed');
    expect(reads).toEqual(['vm']);
    expect(enqueued).toEqual([]);
  });
});

describe('reconciler, when the decision is `any`', () => {
  it('enqueues nothing for a target its schedule leaves alone, and the desired gauge says any', async () => {
    const clock = manualClock('2026-11-23T17:30:00Z');
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const enqueued: ActionableDecision[][] = [];
    const alwaysOn = edgeSchedule('on', 'running', []);
    const reconciler = createReconciler({
      targets: [target('vm'), target('db', { schedule: alwaysOn, scheduleName: 'on' })],
      store: createTargetStore(redis, `t-${randomUUID()}`),
      queue: { enqueueDecisions: async (decisions) => void enqueued.push([...decisions]), enqueueObserveAll: async () => {} },
      clock,
      logger: silent,
      metrics,
    });
    await reconciler.pass();
    expect(enqueued.flat().map((decision) => `${decision.target} ${decision.desired}`)).toEqual(['db running']);
    const text = await registry.metrics();
    expect(text).toContain('offhours_target_desired_state{target="vm",provider="sim",state="any"} 1');
    expect(text).toContain('offhours_target_desired_state{target="vm",provider="sim",state="running"} 0');
    reconciler.stop();
  });
});
