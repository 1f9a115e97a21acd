import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createLimiter, type LimiterRule } from '../../src/queue/limiter.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.quit();
});

const rule = (max: number, perMs: number): LimiterRule => ({ key: `test:limiter:${randomUUID()}`, max, perMs });
const at = (ms: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, 0) + ms);

describe('limiter', () => {
  it('grants up to max per sliding window and names the instant the window opens', async () => {
    const limiter = createLimiter(redis);
    const hourly = rule(1, 3_600_000);
    expect(await limiter.take([hourly], at(0), 'a')).toEqual({ granted: true });
    const refused = await limiter.take([hourly], at(60_000), 'b');
    expect(refused.granted).toBe(false);
    if (refused.granted) return;
    expect(refused.retryAt.getTime()).toBe(at(3_600_000).getTime() + 1);
    expect(refused.blockedBy).toBe(hourly.key);
    expect((await limiter.take([hourly], refused.retryAt, 'c')).granted).toBe(true);
  });

  it('slides: a window never holds more than max, even across what a fixed window would call a boundary', async () => {
    const limiter = createLimiter(redis);
    const twoPerMinute = rule(2, 60_000);
    expect((await limiter.take([twoPerMinute], at(50_000), 'a')).granted).toBe(true);
    expect((await limiter.take([twoPerMinute], at(59_000), 'b')).granted).toBe(true);
    expect((await limiter.take([twoPerMinute], at(61_000), 'c')).granted).toBe(false);
    expect((await limiter.take([twoPerMinute], at(110_001), 'd')).granted).toBe(true);
  });

  it('takes from every rule or from none', async () => {
    const limiter = createLimiter(redis);
    const loose = rule(10, 60_000);
    const tight = rule(1, 60_000);
    expect((await limiter.take([loose, tight], at(0), 'a')).granted).toBe(true);
    expect((await limiter.take([loose, tight], at(1_000), 'b')).granted).toBe(false);
    // the refusal left the loose budget untouched: 9 more fit
    for (let i = 0; i < 9; i++) expect((await limiter.take([loose], at(2_000 + i), `c${i}`)).granted).toBe(true);
    expect((await limiter.take([loose], at(3_000), 'd')).granted).toBe(false);
  });

  it('peek answers like take without taking', async () => {
    const limiter = createLimiter(redis);
    const once = rule(1, 60_000);
    expect((await limiter.peek([once], at(0))).granted).toBe(true);
    expect((await limiter.peek([once], at(0))).granted).toBe(true);
    expect((await limiter.take([once], at(0), 'a')).granted).toBe(true);
    expect((await limiter.peek([once], at(1))).granted).toBe(false);
  });

  it('is atomic across concurrent callers (replicas)', async () => {
    const clients = Array.from({ length: 4 }, () => new Redis(inject('redisUrl')));
    try {
      const shared = rule(3, 60_000);
      const grants = await Promise.all(
        Array.from({ length: 40 }, (_, i) => createLimiter(clients[i % clients.length]!).take([shared], at(i), `r${i}`)),
      );
      expect(grants.filter((grant) => grant.granted)).toHaveLength(3);
    } finally {
      await Promise.all(clients.map((client) => client.quit()));
    }
  });

  it('counts two grants of one job at one instant as two requests', async () => {
    const limiter = createLimiter(redis);
    const all = rule(2, 60_000);
    expect((await limiter.take([all], at(0), 'job-1')).granted).toBe(true);
    expect((await limiter.take([all], at(0), 'job-1')).granted).toBe(true);
    expect((await limiter.take([all], at(0), 'job-1')).granted).toBe(false);
  });

  it('grants everything when there is no rule', async () => {
    expect(await createLimiter(redis).take([], at(0), 'a')).toEqual({ granted: true });
  });
});
