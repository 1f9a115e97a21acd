import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTargetStore } from '../../src/queue/target-store.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.quit();
});

describe('target store lock', () => {
  it('is exclusive between holders, retaken by its own holder (a job re-run after its process died), and freed by unlock', async () => {
    const store = createTargetStore(redis, `t-${randomUUID()}`);
    expect(await store.lock('a', 'job-1', 60_000)).toBe(true);
    expect(await store.lock('a', 'job-2', 60_000)).toBe(false);
    expect(await store.lock('a', 'job-1', 60_000)).toBe(true);
    await store.unlock('a', 'job-2'); // not the holder: nothing happens
    expect(await store.lock('a', 'job-2', 60_000)).toBe(false);
    await store.unlock('a', 'job-1');
    expect(await store.lock('a', 'job-2', 60_000)).toBe(true);
  });
});

describe('target store done records and overrides', () => {
  it('remembers the decision carried out per target', async () => {
    const store = createTargetStore(redis, `t-${randomUUID()}`);
    await store.markDone('a', 'stopped', new Date(1_000));
    expect(await store.doneFor(['a', 'b'])).toEqual(new Map([['a', 'stopped@1000']]));
  });

  it('ignores an unreadable override instead of failing', async () => {
    const prefix = `t-${randomUUID()}`;
    const store = createTargetStore(redis, prefix);
    await redis.hset(`${prefix}:overrides`, 'a', '{not json');
    expect(await store.getOverride('a')).toBeUndefined();
    expect((await store.allOverrides()).size).toBe(0);
  });
});
