// status with a schedule that leaves the target alone, and an override with who and why.
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

const schedule = edgeSchedule('periods', 'running', [
  { at: '2026-11-23T17:00:00Z', state: 'any' },
  { at: '2026-11-24T09:00:00Z', state: 'running' },
]);
const target = (name: string) => ({ name, provider: 'emqx', resource: `r-${name}`, schedule, scheduleName: 'periods', enabled: true });

describe('statusReport and `any`', () => {
  it('shows desired any, in sync with any observed state, with the next change; an override with who and why wins', async () => {
    const store = createTargetStore(redis, `t-${randomUUID()}`);
    const at = new Date('2026-11-23T18:00:00Z');
    await store.setObserved('left', { state: 'stopped', raw: 'stopped', at: at.toISOString() });
    await store.setOverride('held', { state: 'running', until: '2026-11-23T20:00:00.000Z', setAt: '2026-11-23T17:30:00.000Z', by: 'ana', reason: 'demo' });
    const report = await statusReport({ targets: [target('left'), target('held')], store, at });
    const [left, held] = report.targets;
    expect(left).toMatchObject({ desired: 'any', reason: 'schedule periods: any', since: '2026-11-23T17:00:00.000Z', inSync: true, override: null });
    expect(left!.next).toEqual({ at: '2026-11-24T09:00:00.000Z', state: 'running', reason: 'schedule periods: edge 2026-11-24T09:00:00Z' });
    expect(held).toMatchObject({ desired: 'running', reason: 'override running until 2026-11-23T20:00:00.000Z by ana: demo', inSync: false });
    expect(held!.override).toMatchObject({ by: 'ana', reason: 'demo' });
  });
});
