import { randomUUID } from 'node:crypto';
import { Worker, UnrecoverableError } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActionQueue, nextObserveSlot, QUEUE_NAME } from '../../src/queue/action-queue.ts';
import { ensureJobId } from '../../src/queue/job-payloads.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
});
afterAll(async () => {
  await redis.quit();
});

const decision = { target: 'a', desired: 'running' as const, since: new Date('2026-11-23T08:00:00Z'), reason: 'schedule office: within Mon-Fri 08:00-19:00', source: 'schedule' as const };

describe('action queue', () => {
  it('enqueues one job per decision however often it is asked (deterministic ids)', async () => {
    const prefix = `t-${randomUUID()}`;
    const queue = createActionQueue({ connection: redis, prefix });
    const at = new Date('2026-11-23T09:00:00Z');
    await queue.enqueueDecisions([decision], at);
    await queue.enqueueDecisions([decision, decision], at);
    expect(await queue.queue.getJobCountByTypes('waiting', 'delayed')).toBe(1);
    await queue.close();
  });

  it('delays a decision prepared before its edge until the edge', async () => {
    const prefix = `t-${randomUUID()}`;
    const queue = createActionQueue({ connection: redis, prefix });
    await queue.enqueueDecisions([decision], new Date(decision.since.getTime() - 20_000));
    const job = await queue.queue.getJob(ensureJobId('a', 'running', decision.since));
    expect(job?.opts.delay).toBe(20_000);
    await queue.close();
  });

  it('revives a failed decision only after its cooldown', async () => {
    const prefix = `t-${randomUUID()}`;
    const queue = createActionQueue({ connection: redis, prefix });
    const worker = new Worker(QUEUE_NAME, async () => {
      throw new UnrecoverableError('auth');
    }, { connection: redis, prefix });
    const failed = new Promise((resolve) => worker.once('failed', resolve));
    await queue.enqueueDecisions([decision], new Date());
    await failed;
    await worker.close();
    const id = ensureJobId('a', 'running', decision.since);
    const finishedOn = (await queue.queue.getJob(id))!.finishedOn!;
    // while the failed job is there, enqueueing the same decision adds nothing
    await queue.enqueueDecisions([decision], new Date());
    expect(await (await queue.queue.getJob(id))!.isFailed()).toBe(true);
    expect(await queue.reviveFailed(decision, new Date(finishedOn + 1_000), 60_000)).toBe(false);
    expect(await queue.reviveFailed(decision, new Date(finishedOn + 61_000), 60_000)).toBe(true);
    await queue.enqueueDecisions([decision], new Date(finishedOn + 61_000));
    expect(await (await queue.queue.getJob(id))!.isFailed()).toBe(false);
    await queue.close();
  });

  it('puts observation slots on one grid per target, strictly after the instant', () => {
    const at = new Date('2026-11-23T09:00:00Z');
    const slot = nextObserveSlot('a', 60_000, at);
    expect(slot).toBeGreaterThan(at.getTime());
    expect(slot - at.getTime()).toBeLessThanOrEqual(60_000);
    expect(nextObserveSlot('a', 60_000, new Date(slot - 1))).toBe(slot);
    expect(nextObserveSlot('a', 60_000, new Date(slot))).toBe(slot + 60_000);
  });
});
