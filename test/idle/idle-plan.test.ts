import { describe, expect, it } from 'vitest';
import { planIdle } from '../../src/idle/idle-plan.ts';
import { EMPTY_IDLE_STATE } from '../../src/idle/idle-state.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

// Two windows a day with a 30-minute lunch gap: the gap is shorter than EMQX's start window.
const schedule = edgeSchedule('split', 'stopped', [
  { at: '2026-11-23T08:00:00Z', state: 'running' },
  { at: '2026-11-23T12:00:00Z', state: 'stopped' },
  { at: '2026-11-23T12:30:00Z', state: 'running' },
  { at: '2026-11-23T19:00:00Z', state: 'stopped' },
]);
const policy = { name: 'quiet', forMs: 30 * 60_000, minRunningMs: 0, condition: 'value <= 0.1' };
const hourly = { max: 1, perMs: 3_600_000 };
const from = new Date('2026-11-23T07:00:00Z');
const until = new Date('2026-11-23T23:00:00Z');

describe('planIdle', () => {
  it('lists where the quota guard blocks idle stops: after each scheduled start, and before one', () => {
    const entries = planIdle({ target: 'broker', schedule, policy, startRule: hourly, from, until });
    expect(entries.map((entry) => [entry.at, entry.outcome, entry.reason])).toEqual([
      ['2026-11-23T08:30:00.000Z', 'idle-blocked', 'idle stops blocked until 2026-11-23T09:00:05.000Z: the start at 2026-11-23T08:00:00.000Z spends the start budget (1 start per 1h)'],
      ['2026-11-23T11:29:55.000Z', 'idle-blocked', 'idle stops blocked until 2026-11-23T12:00:00.000Z: the next scheduled start at 2026-11-23T12:30:00.000Z is within one start window (1 start per 1h)'],
      ['2026-11-23T13:00:00.000Z', 'idle-blocked', 'idle stops blocked until 2026-11-23T13:30:05.000Z: the start at 2026-11-23T12:30:00.000Z spends the start budget (1 start per 1h)'],
    ]);
  });

  it('has nothing to block for a provider without a start limit', () => {
    expect(planIdle({ target: 'broker', schedule, policy, startRule: undefined, from, until })).toEqual([]);
  });

  it('projects the current idle run to its stop, moved past a block it falls into', () => {
    const state = { ...EMPTY_IDLE_STATE, idleSince: '2026-11-23T08:10:00.000Z', runningSince: '2026-11-23T08:01:00.000Z' };
    const now = new Date('2026-11-23T08:20:00Z');
    const projected = planIdle({ target: 'broker', schedule, policy, startRule: hourly, from: now, until, state }).find((entry) => entry.outcome === 'idle-projected');
    expect(projected).toMatchObject({ at: '2026-11-23T08:40:00.000Z', runsAt: '2026-11-23T09:00:05.000Z', reason: 'idle since 2026-11-23T08:10:00.000Z (value <= 0.1): idle stop after 30m if it stays idle' });
    expect(projected?.note).toMatch(/^blocked until 2026-11-23T09:00:05.000Z: the start at/);
  });

  it('shows a target stopped for idleness until the next scheduled start', () => {
    const state = { ...EMPTY_IDLE_STATE, decision: { desired: 'stopped' as const, at: '2026-11-23T09:40:00.000Z', reason: 'idle 30m (value 0 <= 0.1 for 30m)' } };
    const entries = planIdle({ target: 'broker', schedule, policy, startRule: undefined, from: new Date('2026-11-23T10:00:00Z'), until, state });
    expect(entries).toEqual([
      { target: 'broker', at: '2026-11-23T09:40:00.000Z', state: 'stopped', action: 'stop', reason: 'idle 30m (value 0 <= 0.1 for 30m)', runsAt: null, outcome: 'idle-stopped', note: 'stopped for idleness; stays stopped until the scheduled start at 2026-11-23T12:30:00.000Z' },
    ]);
  });
});
