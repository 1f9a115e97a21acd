import { describe, expect, it } from 'vitest';
import type { IdlePolicyConfig } from '../../src/config/config-schema.ts';
import { compareWithThreshold, unknownReading } from '../../src/idle/idle-reading.ts';
import { EMPTY_IDLE_STATE, type IdleState } from '../../src/idle/idle-state.ts';
import { idleStatus } from '../../src/idle/idle-status.ts';
import { decide } from '../../src/planner/decide.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const schedule = edgeSchedule('office', 'stopped', [
  { at: '2026-11-23T08:00:00Z', state: 'running' },
  { at: '2026-11-23T19:00:00Z', state: 'stopped' },
]);
const target = { name: 'broker', schedule };
const config: IdlePolicyConfig = { type: 'prometheus', url: 'http://prom:9090', query: 'up', threshold: 0.1, for: 1_800_000, wakeOn: 'schedule' };
const at = new Date('2026-11-23T09:12:00Z');

function status(state: IdleState | undefined, when = at) {
  return idleStatus({ policy: 'quiet', config, state, decision: decide(target, when, undefined, state?.decision), at: when });
}

describe('idleStatus', () => {
  it('shows an idle run with the time until its stop', () => {
    const last = compareWithThreshold(at, 0, 0.1);
    const view = status({ ...EMPTY_IDLE_STATE, idleSince: '2026-11-23T09:00:00.000Z', runningSince: '2026-11-23T08:02:00.000Z', last });
    expect(view).toMatchObject({ phase: 'idle', stopAt: '2026-11-23T09:30:00.000Z', stopIn: '18m', last, idleSince: '2026-11-23T09:00:00.000Z' });
    expect(view.summary).toBe('idle for 12m (value 0 <= 0.1; stops after 30m idle): idle stop at 2026-11-23T09:30:00.000Z if it stays idle');
  });

  it('shows a blocked stop with its reason, and no stop time', () => {
    const blocked = { since: '2026-11-23T09:10:00.000Z', label: 'start-budget' as const, reason: 'idle stop blocked: the start budget is spent until 2026-11-23T09:20:00.000Z (1 start per 1h)', until: '2026-11-23T09:20:00.000Z' };
    const view = status({ ...EMPTY_IDLE_STATE, idleSince: '2026-11-23T08:30:00.000Z', runningSince: '2026-11-23T08:02:00.000Z', last: compareWithThreshold(at, 0, 0.1), blocked });
    expect(view).toMatchObject({ phase: 'blocked', summary: blocked.reason, blocked, stopAt: null });
  });

  it('shows a target stopped for idleness and what ends that', () => {
    const decision = { desired: 'stopped' as const, at: '2026-11-23T09:05:00.000Z', reason: 'idle 30m (value 0 <= 0.1 for 30m)' };
    const view = status({ ...EMPTY_IDLE_STATE, last: compareWithThreshold(at, 3, 0.1), decision });
    expect(view).toMatchObject({ phase: 'stopped', decision });
    expect(view.summary).toBe("stopped for idleness since 2026-11-23T09:05:00.000Z (idle 30m (value 0 <= 0.1 for 30m)); stays stopped until the schedule's next start or an override");
  });

  it.each([
    ['unknown', { ...EMPTY_IDLE_STATE, runningSince: '2026-11-23T08:02:00.000Z', last: unknownReading(at, 'empty', 'the query returned no series') }, 'last reading unknown (the query returned no series): counts as active'],
    ['active', { ...EMPTY_IDLE_STATE, runningSince: '2026-11-23T08:02:00.000Z', last: compareWithThreshold(at, 4, 0.1) }, 'active (value 4 > 0.1)'],
    ['waiting', { ...EMPTY_IDLE_STATE, last: compareWithThreshold(at, 0, 0.1) }, 'the target is not seen running: the idle clock starts once it runs (last reading: value 0 <= 0.1)'],
    ['not-read', undefined, 'no reading yet'],
  ] as const)('%s', (phase, state, summary) => {
    expect(status(state)).toMatchObject({ phase, summary, stopAt: null });
  });

  it('outside a running window the clock does not run', () => {
    expect(status(EMPTY_IDLE_STATE, new Date('2026-11-23T20:00:00Z'))).toMatchObject({ phase: 'outside-window' });
  });

  it('a provider-native policy shows what ClickHouse reported', () => {
    const native = { at: '2026-11-23T08:00:00.000Z', idleScaling: true, idleTimeoutMinutes: 15, state: 'idle', error: null };
    const view = idleStatus({ policy: 'ch', config: { type: 'clickhouse-native', idleTimeoutMinutes: 15, idleScaling: true }, state: { ...EMPTY_IDLE_STATE, native }, decision: decide(target, at), at });
    expect(view).toMatchObject({ phase: 'native', native, summary: 'ClickHouse idle scaling after 15m without queries: applied at 2026-11-23T08:00:00.000Z (ClickHouse reports on, 15m; service idle)' });
  });
});
