import { describe, expect, it } from 'vitest';
import { decide } from '../../src/planner/decide.ts';
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
