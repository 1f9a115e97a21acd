// The savings part of the status report: hours observed stopped and the money they saved.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { statusReport } from '../../src/planner/status-report.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  await redis.quit();
});

const target = (name: string, costPerHour?: number) => ({
  name,
  provider: 'emqx',
  resource: `r-${name}`,
  schedule: edgeSchedule('off', 'stopped', []),
  scheduleName: 'off',
  enabled: true,
  ...(costPerHour === undefined ? {} : { costPerHour }),
});

describe('statusReport savings', () => {
  it('reports stopped hours per target, money saved where a cost per hour is set, and totals', async () => {
    const store = createTargetStore(redis, `t-${randomUUID()}`);
    const t0 = new Date('2026-11-23T19:00:00Z');
    const later = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);
    for (const [name, cost] of [['priced', 1.5], ['free', undefined]] as const) {
      await store.accrueStopped(name, { state: 'stopped', at: t0 }, cost);
      await store.accrueStopped(name, { state: 'stopped', at: later(4) }, cost);
    }

    const report = await statusReport({ targets: [target('priced', 1.5), target('free'), target('unseen', 2)], store, at: later(5) });
    expect(report.targets.map((t) => [t.name, t.savings])).toEqual([
      ['priced', { stoppedHours: 4, costPerHour: 1.5, saved: 6 }],
      ['free', { stoppedHours: 4, costPerHour: null, saved: null }],
      ['unseen', { stoppedHours: 0, costPerHour: 2, saved: 0 }],
    ]);
    expect(report.savings).toEqual({ stoppedHours: 8, saved: 6 });
  });
});
