import { describe, expect, it } from 'vitest';
import { decide, isActionable } from '../../src/planner/decide.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const schedule = edgeSchedule('office', 'stopped', [
  { at: '2026-11-23T08:00:00Z', state: 'running' },
  { at: '2026-11-23T19:00:00Z', state: 'stopped' },
]);
const target = { name: 'broker', schedule };

describe('decide', () => {
  it('follows the schedule, with the last edge as since (stable across calls)', () => {
    const a = decide(target, new Date('2026-11-23T12:00:00Z'));
    const b = decide(target, new Date('2026-11-23T18:59:59Z'));
    expect(a).toMatchObject({ desired: 'running', source: 'schedule' });
    expect(a.since.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(b.since).toEqual(a.since);
  });

  it('an active override beats the schedule and says who and why', () => {
    const decision = decide(target, new Date('2026-11-23T12:00:00Z'), {
      state: 'stopped',
      until: '2026-11-23T14:00:00Z',
      setAt: '2026-11-23T11:30:00Z',
      by: 'ana',
      reason: 'migration',
    });
    expect(decision).toMatchObject({ desired: 'stopped', source: 'override' });
    expect(decision.reason).toBe('override stopped until 2026-11-23T14:00:00Z by ana: migration');
    expect(decision.since.toISOString()).toBe('2026-11-23T11:30:00.000Z');
  });

  it('an expired override is ignored', () => {
    const decision = decide(target, new Date('2026-11-23T15:00:00Z'), { state: 'stopped', until: '2026-11-23T14:00:00Z', setAt: '2026-11-23T11:30:00Z' });
    expect(decision).toMatchObject({ desired: 'running', source: 'schedule' });
  });

  it('before any edge, since is the epoch', () => {
    expect(decide(target, new Date('2026-11-22T00:00:00Z')).since.getTime()).toBe(0);
  });
});

describe('decide with a schedule that leaves the target alone', () => {
  const sometimes = edgeSchedule('periods', 'any', [
    { at: '2026-11-23T09:00:00Z', state: 'running' },
    { at: '2026-11-23T17:00:00Z', state: 'any' },
  ]);

  it('desires `any`, which is not actionable, since the edge that led to it', () => {
    const decision = decide({ name: 'vm', schedule: sometimes }, new Date('2026-11-23T18:00:00Z'));
    expect(decision).toMatchObject({ desired: 'any', source: 'schedule' });
    expect(decision.since.toISOString()).toBe('2026-11-23T17:00:00.000Z');
    expect(isActionable(decision)).toBe(false);
    expect(isActionable(decide({ name: 'vm', schedule: sometimes }, new Date('2026-11-23T10:00:00Z')))).toBe(true);
  });

  it('an override still decides', () => {
    const decision = decide({ name: 'vm', schedule: sometimes }, new Date('2026-11-23T18:00:00Z'), { state: 'stopped', until: '2026-11-23T20:00:00Z', setAt: '2026-11-23T17:30:00Z' });
    expect(decision).toMatchObject({ desired: 'stopped', source: 'override', reason: 'override stopped until 2026-11-23T20:00:00Z' });
    expect(isActionable(decision)).toBe(true);
  });
});
