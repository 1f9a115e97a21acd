// The worker's decisions, one job run at a time: real Redis for state and limits, an in-memory provider.
import { randomUUID } from 'node:crypto';
import { DelayedError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { ProviderAdapter } from '../../src/providers/provider.ts';
import { createActionProcessor } from '../../src/queue/action-processor.ts';
import type { EnsurePayload } from '../../src/queue/job-payloads.ts';
import { createLimiter } from '../../src/queue/limiter.ts';
import type { ManagedTarget } from '../../src/queue/managed-target.ts';
import { createStatusReader } from '../../src/queue/status-reader.ts';
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

function memoryProvider(initial: string) {
  const calls: string[] = [];
  let state = initial;
  const adapter: ProviderAdapter = {
    name: 'mem',
    type: 'mem',
    limits: { start: { max: 1, perMs: 3_600_000 }, stop: { max: 1, perMs: 3_600_000 } },
    limitScope: 'resource',
    capabilities: { reportsTransitions: true, batchStatus: false },
    status: async () => ({ state: state as 'running', raw: state }),
    start: async () => {
      calls.push('start');
      state = 'starting';
      return { kind: 'accepted' };
    },
    stop: async () => {
      calls.push('stop');
      state = 'stopping';
      return { kind: 'accepted' };
    },
    close: async () => {},
  };
  return { adapter, calls, set: (raw: string) => void (state = raw) };
}

/** enough of a BullMQ job for the processor: it records where the job was delayed to */
function fakeJob(data: EnsurePayload) {
  const job = {
    id: `ensure/t/${data.desired}/${Date.parse(data.since)}`,
    data,
    attemptsMade: 0,
    opts: {},
    delayedUntil: undefined as number | undefined,
    updateData: async (next: EnsurePayload) => void (job.data = next),
    moveToDelayed: async (until: number) => void (job.delayedUntil = until),
  };
  return job;
}

function setup(initial: string, at: string) {
  const prefix = `t-${randomUUID()}`;
  const clock = manualClock(at);
  const provider = memoryProvider(initial);
  const metrics = createMetrics(new Registry());
  const logger = pino({ level: 'silent' });
  const store = createTargetStore(redis, prefix);
  const limiter = createLimiter(redis);
  const target: ManagedTarget = {
    name: 't',
    provider: 'mem',
    resource: 'r1',
    schedule: edgeSchedule('s', 'running', []),
    scheduleName: 's',
    enabled: true,
    adapter: provider.adapter,
    poll: { steadyMs: 60_000, verifyMs: 10_000, timeoutMs: 600_000 },
  };
  const enqueued: unknown[] = [];
  const processor = createActionProcessor({
    prefix,
    targets: new Map([['t', target]]),
    limiter,
    store,
    readStatus: createStatusReader({ prefix, limiter, store, metrics, logger, now: () => 0 }),
    queue: { enqueueDecisions: async (d) => void enqueued.push(...d), enqueueObserve: async () => {}, reviveFailed: async () => false },
    metrics,
    logger,
    now: () => clock.now(),
  });
  const run = async (job: ReturnType<typeof fakeJob>) => {
    try {
      return await processor(job as unknown as Job, 'token');
    } catch (error) {
      if (error instanceof DelayedError) return 'delayed';
      throw error;
    }
  };
  return { clock, provider, store, run, target };
}

const payload = (desired: 'running' | 'stopped', extra: Partial<EnsurePayload> = {}): EnsurePayload => ({
  kind: 'ensure',
  target: 't',
  desired,
  since: new Date(0).toISOString(),
  reason: 'schedule s: running',
  phase: 'act',
  busy: 0,
  reacts: 0,
  ...extra,
});

describe('action processor', () => {
  it('sends nothing when the resource is already in the desired state', async () => {
    const { provider, run } = setup('running', '2026-11-23T10:00:00Z');
    expect(await run(fakeJob(payload('running')))).toBe('already');
    expect(provider.calls).toEqual([]);
  });

  it('starts a stopped resource, then verifies until it shows running', async () => {
    const { provider, run, clock } = setup('stopped', '2026-11-23T10:00:00Z');
    const job = fakeJob(payload('running'));
    expect(await run(job)).toBe('delayed');
    expect(provider.calls).toEqual(['start']);
    expect(job.data.phase).toBe('verify');
    expect(job.delayedUntil).toBe(clock.now().getTime() + 10_000);
    clock.advance(10_000);
    expect(await run(job)).toBe('delayed'); // still starting
    provider.set('running');
    clock.advance(10_000);
    expect(await run(job)).toBe('done');
    expect(provider.calls).toEqual(['start']);
  });

  it('in verify, acts again when the old state still shows after the grace period (the call did not take, or was undone)', async () => {
    const { provider, run, clock } = setup('stopped', '2026-11-23T10:00:00Z');
    const job = fakeJob(payload('running'));
    await run(job);
    expect(provider.calls).toEqual(['start']);
    provider.set('stopped'); // someone stopped it again
    clock.advance(20_000); // within the grace of 3 verify intervals: keep waiting
    expect(await run(job)).toBe('delayed');
    expect(provider.calls).toEqual(['start']);
    clock.advance(3_600_000); // past the grace, and the start window is open again
    expect(await run(job)).toBe('delayed');
    expect(provider.calls).toEqual(['start', 'start']);
  });

  it('reports the target stuck after a few calls that were accepted but never showed, instead of asking forever', async () => {
    const { provider, run, clock } = setup('stopped', '2026-11-23T10:00:00Z');
    const job = fakeJob(payload('running'));
    await run(job);
    const window = 3_600_000 + 5_000; // the hour and the limiter's margin
    for (let round = 0; round < 3; round++) {
      provider.set('stopped'); // the provider accepts, and nothing happens
      clock.advance(window);
      expect(await run(job)).toBe('delayed');
    }
    expect(provider.calls).toEqual(['start', 'start', 'start', 'start']);
    provider.set('stopped');
    clock.advance(window);
    await expect(run(job)).rejects.toThrow(/did not become running/);
    expect(provider.calls).toHaveLength(4);
  });

  it('never sends a second start inside the window: the job waits for the window instead', async () => {
    const { provider, run, clock, store } = setup('stopped', '2026-11-23T10:00:00Z');
    await run(fakeJob(payload('running')));
    provider.set('stopped');
    clock.advance(60_000);
    const again = fakeJob(payload('running', { since: new Date(0).toISOString() }));
    again.id = 'another-job';
    expect(await run(again)).toBe('delayed');
    expect(provider.calls).toEqual(['start']);
    expect(again.delayedUntil).toBeGreaterThanOrEqual(new Date('2026-11-23T11:00:00Z').getTime());
    expect((await store.allDeferred()).get('t')).toMatchObject({ action: 'start' });
  });

  it('a job whose decision is no longer the newest sends nothing (superseded)', async () => {
    const { provider, run } = setup('running', '2026-11-23T10:00:00Z');
    // the schedule says running; a leftover stop job must not stop it
    expect(await run(fakeJob(payload('stopped')))).toBe('superseded');
    expect(provider.calls).toEqual([]);
  });

  it('a job prepared for an edge the clock has not reached waits for the edge', async () => {
    const { provider, run, clock } = setup('stopped', '2026-11-23T10:00:00Z');
    const since = new Date(clock.now().getTime() + 5_000).toISOString();
    const job = fakeJob(payload('running', { since }));
    expect(await run(job)).toBe('delayed');
    expect(job.delayedUntil).toBe(Date.parse(since));
    expect(provider.calls).toEqual([]);
  });

  it('leaves a disabled target alone', async () => {
    const { provider, run, target } = setup('stopped', '2026-11-23T10:00:00Z');
    target.enabled = false;
    expect(await run(fakeJob(payload('running')))).toBe('target-removed');
    expect(provider.calls).toEqual([]);
  });
});
