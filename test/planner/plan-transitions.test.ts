import { describe, expect, it } from 'vitest';
import { planTransitions } from '../../src/planner/plan-transitions.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const HOUR = 3_600_000;
const emqx = { start: { max: 1, perMs: HOUR }, stop: { max: 1, perMs: HOUR } };

describe('planTransitions', () => {
  it('keeps transitions that fit the limits on time', () => {
    const schedule = edgeSchedule('office', 'stopped', [
      { at: '2026-11-23T08:00:00Z', state: 'running' },
      { at: '2026-11-23T19:00:00Z', state: 'stopped' },
    ]);
    const plan = planTransitions({ target: 't', schedule, limits: emqx, from: new Date('2026-11-23T00:00:00Z'), until: new Date('2026-11-24T00:00:00Z') });
    expect(plan.map((p) => [p.action, p.outcome, p.runsAt])).toEqual([
      ['start', 'on-time', '2026-11-23T08:00:00.000Z'],
      ['stop', 'on-time', '2026-11-23T19:00:00.000Z'],
    ]);
  });

  it('defers a second stop inside one hour to the moment the window opens', () => {
    const schedule = edgeSchedule('s', 'running', [
      { at: '2026-11-23T10:00:00Z', state: 'stopped' },
      { at: '2026-11-23T10:10:00Z', state: 'running' },
      { at: '2026-11-23T10:20:00Z', state: 'stopped' },
    ]);
    const plan = planTransitions({ target: 't', schedule, limits: emqx, from: new Date('2026-11-23T09:00:00Z'), until: new Date('2026-11-23T12:00:00Z') });
    expect(plan[2]).toMatchObject({ action: 'stop', outcome: 'deferred', runsAt: '2026-11-23T11:00:00.000Z' });
  });

  it('drops a deferred call when the schedule turns back before its window opens (nothing is sent)', () => {
    const schedule = edgeSchedule('s', 'running', [
      { at: '2026-11-23T10:00:00Z', state: 'stopped' },
      { at: '2026-11-23T10:10:00Z', state: 'running' },
      { at: '2026-11-23T10:20:00Z', state: 'stopped' },
      { at: '2026-11-23T10:30:00Z', state: 'running' },
    ]);
    const plan = planTransitions({ target: 't', schedule, limits: emqx, from: new Date('2026-11-23T09:00:00Z'), until: new Date('2026-11-23T12:00:00Z') });
    expect(plan.map((p) => p.outcome)).toEqual(['on-time', 'on-time', 'merged', 'nothing-to-do']);
    expect(plan[2]!.runsAt).toBeNull();
    expect(plan[3]!.note).toContain('already running');
  });

  it('without limits every change is on time', () => {
    const schedule = edgeSchedule('s', 'running', [
      { at: '2026-11-23T10:00:00Z', state: 'stopped' },
      { at: '2026-11-23T10:01:00Z', state: 'running' },
    ]);
    const plan = planTransitions({ target: 't', schedule, limits: {}, from: new Date('2026-11-23T09:00:00Z'), until: new Date('2026-11-23T12:00:00Z') });
    expect(plan.every((p) => p.outcome === 'on-time')).toBe(true);
  });
});
