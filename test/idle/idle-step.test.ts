// The idle clock as a pure function of readings and time: an injected clock, no Redis, no timers.
import { describe, expect, it } from 'vitest';
import { compareWithThreshold, unknownReading } from '../../src/idle/idle-reading.ts';
import { EMPTY_IDLE_STATE, type IdleState } from '../../src/idle/idle-state.ts';
import { stepIdle, type IdleEvent, type IdleStepInput } from '../../src/idle/idle-step.ts';
import { decide } from '../../src/planner/decide.ts';
import type { Override } from '../../src/planner/override.ts';
import type { ObservedState } from '../../src/providers/provider.ts';
import { manualClock } from '../../src/util/clock.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const MINUTE = 60_000;
const schedule = edgeSchedule('office', 'stopped', [
  { at: '2026-11-23T08:00:00Z', state: 'running' },
  { at: '2026-11-23T19:00:00Z', state: 'stopped' },
  { at: '2026-11-24T08:00:00Z', state: 'running' },
]);
const target = { name: 'broker', schedule };
const POLICY: IdleStepInput['policy'] = { forMs: 30 * MINUTE, everyMs: MINUTE, jitterMs: 0, timeoutMs: 10_000, wakeOn: 'schedule', minRunningMs: 0, minStoppedMs: 0 };
const FREE: IdleStepInput['guard'] = { startRule: undefined, startFreeAt: null, stopFreeAt: null, nextStart: null };

type Verdict = 'idle' | 'active' | 'unknown';
interface ReadOptions {
  override?: Override;
  observed?: ObservedState;
  guard?: Partial<IdleStepInput['guard']>;
}

/** Feeds readings one `every` apart through stepIdle, keeping the state between them as the sampler does. */
function idleClock(start: string, policy: IdleStepInput['policy'] = POLICY) {
  const clock = manualClock(start);
  let state: IdleState = EMPTY_IDLE_STATE;
  const events: IdleEvent[] = [];
  const read = (verdict: Verdict, options: ReadOptions = {}) => {
    const at = clock.now();
    const reading = verdict === 'unknown' ? unknownReading(at, 'empty', 'the query returned no series') : compareWithThreshold(at, verdict === 'idle' ? 0 : 5, 0.1);
    const step = stepIdle({ policy, state, reading, at, base: decide(target, at, options.override), observed: options.observed ?? 'running', guard: { ...FREE, ...options.guard } });
    state = step.state;
    if (step.event) events.push(step.event);
    clock.advance(policy.everyMs);
    return step;
  };
  const readMany = (count: number, verdict: Verdict, options?: ReadOptions) => Array.from({ length: count }, () => read(verdict, options)).at(-1)!;
  return { clock, read, readMany, events, state: () => state, desired: (override?: Override) => decide(target, clock.now(), override, state.decision) };
}

describe('stepIdle: the idle clock', () => {
  it('stops only when consecutive idle readings cover the whole `for`, with the reason', () => {
    const idle = idleClock('2026-11-23T09:00:00Z');
    expect(idle.readMany(30, 'idle').decisionChanged).toBe(false); // 09:00 .. 09:29: 29 minutes
    expect(idle.state()).toMatchObject({ idleSince: '2026-11-23T09:00:00.000Z', decision: null });
    const step = idle.read('idle'); // 09:30
    expect(step.decisionChanged).toBe(true);
    expect(step.state.decision).toEqual({ desired: 'stopped', at: '2026-11-23T09:30:00.000Z', reason: 'idle 30m (value 0 <= 0.1 for 30m)' });
    expect(idle.events).toEqual([{ kind: 'idle-stop', decision: step.state.decision }]);
    expect(idle.desired()).toMatchObject({ desired: 'stopped', source: 'idle', reason: 'idle 30m (value 0 <= 0.1 for 30m)', since: new Date('2026-11-23T09:30:00Z') });
  });

  it.each(['active', 'unknown'] as const)('one %s reading starts the run again', (verdict) => {
    const idle = idleClock('2026-11-23T09:00:00Z');
    idle.readMany(29, 'idle');
    idle.read(verdict);
    expect(idle.state().idleSince).toBeNull();
    idle.readMany(30, 'idle');
    expect(idle.state().decision).toBeNull();
    expect(idle.read('idle').state.decision?.reason).toBe('idle 30m (value 0 <= 0.1 for 30m)');
  });

  it('readings further apart than two intervals are not consecutive: the run starts again', () => {
    const idle = idleClock('2026-11-23T09:00:00Z');
    idle.readMany(10, 'idle'); // 09:00 .. 09:09
    idle.clock.advance(25 * MINUTE); // nobody looked between 09:10 and 09:35
    idle.read('idle');
    expect(idle.state().idleSince).toBe('2026-11-23T09:35:00.000Z');
    expect(idle.events).toEqual([]);
  });

  it('runs only while the target is seen running, and not before minRunning', () => {
    const idle = idleClock('2026-11-23T09:00:00Z', { ...POLICY, forMs: 5 * MINUTE, minRunningMs: 20 * MINUTE });
    idle.readMany(10, 'idle', { observed: 'stopped' }); // a start still on its way: it is idle because it is off
    expect(idle.state()).toMatchObject({ idleSince: null, runningSince: null });
    idle.readMany(20, 'idle'); // seen running from 09:10
    expect(idle.state()).toMatchObject({ runningSince: '2026-11-23T09:10:00.000Z', decision: null });
    expect(idle.read('idle').state.decision).toMatchObject({ at: '2026-11-23T09:30:00.000Z', reason: 'idle 20m (value 0 <= 0.1 for 5m)' });
  });

  it('does not run outside a running window or under an override', () => {
    const night = idleClock('2026-11-23T20:00:00Z');
    night.readMany(60, 'idle');
    expect(night.state()).toMatchObject({ idleSince: null, decision: null });
    const override: Override = { state: 'running', setAt: '2026-11-23T08:30:00Z', until: '2026-11-23T18:00:00Z' };
    const kept = idleClock('2026-11-23T09:00:00Z');
    kept.readMany(60, 'idle', { override });
    expect(kept.state()).toMatchObject({ idleSince: null, decision: null });
    expect(kept.events).toEqual([]);
  });
});

describe('stepIdle: hysteresis', () => {
  it('stays stopped on active readings until the schedule ends the window; the next window starts afresh', () => {
    const idle = idleClock('2026-11-23T09:00:00Z');
    idle.readMany(31, 'idle');
    idle.readMany(60, 'active', { observed: 'stopped' });
    expect(idle.desired()).toMatchObject({ desired: 'stopped', source: 'idle' });
    idle.clock.set('2026-11-23T19:00:00Z');
    idle.read('active', { observed: 'stopped' });
    expect(idle.state().decision).toBeNull();
    expect(idle.events.at(-1)).toMatchObject({ kind: 'released', reason: expect.stringContaining('the schedule took over') });
    // an idle stop of yesterday never holds in today's window, even if nobody cleared it
    const stale = { desired: 'stopped' as const, at: '2026-11-23T09:30:00.000Z', reason: 'idle 30m' };
    expect(decide(target, new Date('2026-11-24T08:00:00Z'), undefined, stale)).toMatchObject({ desired: 'running', source: 'schedule' });
  });

  it('an override set after the idle stop ends it, also once the override has expired', () => {
    const stop = { desired: 'stopped' as const, at: '2026-11-23T09:30:00.000Z', reason: 'idle 30m' };
    const override: Override = { state: 'running', setAt: '2026-11-23T10:00:00Z', until: '2026-11-23T11:00:00Z' };
    expect(decide(target, new Date('2026-11-23T10:30:00Z'), override, stop)).toMatchObject({ desired: 'running', source: 'override' });
    expect(decide(target, new Date('2026-11-23T12:00:00Z'), override, stop)).toMatchObject({ desired: 'running', source: 'schedule' });
    const older: Override = { ...override, setAt: '2026-11-23T09:00:00Z', until: '2026-11-23T09:10:00Z' };
    expect(decide(target, new Date('2026-11-23T12:00:00Z'), older, stop)).toMatchObject({ desired: 'stopped', source: 'idle' });
  });

  it('with wakeOn: active, wakes on an active reading after minStopped, never on an unknown one', () => {
    const idle = idleClock('2026-11-23T09:00:00Z', { ...POLICY, wakeOn: 'active', minStoppedMs: 15 * MINUTE });
    idle.readMany(31, 'idle'); // stopped at 09:30
    idle.readMany(10, 'active', { observed: 'stopped' }); // 09:31 .. 09:40: too soon
    idle.readMany(10, 'unknown', { observed: 'stopped' }); // 09:41 .. 09:50: no data wakes nothing
    expect(idle.desired()).toMatchObject({ desired: 'stopped', source: 'idle' });
    const step = idle.read('active', { observed: 'stopped' }); // 09:51
    expect(step.decisionChanged).toBe(true);
    expect(step.state.decision).toEqual({ desired: 'running', at: '2026-11-23T09:51:00.000Z', reason: 'idle signal active again (value 5 > 0.1) after 21m stopped for idleness' });
    expect(idle.desired()).toMatchObject({ desired: 'running', source: 'idle', since: new Date('2026-11-23T09:51:00Z') });
    // running again: a new idle run may stop it again, after the full `for`
    idle.readMany(31, 'idle');
    expect(idle.state().decision).toMatchObject({ desired: 'stopped', at: '2026-11-23T10:22:00.000Z' });
  });
});

describe('stepIdle: the quota guard', () => {
  const startRule = { max: 1, perMs: 60 * MINUTE };

  it('holds a due stop while the start budget is spent, says so once, and stops when it has room', () => {
    const idle = idleClock('2026-11-23T09:00:00Z');
    const spent = { startRule, startFreeAt: new Date('2026-11-23T09:45:00Z') };
    idle.readMany(40, 'idle', { guard: spent }); // due from 09:30, blocked until 09:45
    expect(idle.state().decision).toBeNull();
    expect(idle.state().blocked).toMatchObject({ since: '2026-11-23T09:30:00.000Z', label: 'start-budget', until: '2026-11-23T09:45:00.000Z' });
    expect(idle.events).toEqual([{ kind: 'blocked', block: idle.state().blocked }]);
    expect(idle.state().blocked!.reason).toBe('idle stop blocked: the start budget is spent until 2026-11-23T09:45:00.000Z (1 start per 1h); stopped now, it could not be started again before then');
    const step = idle.read('idle', { guard: { startRule } }); // 09:40, budget free again
    expect(step.state.decision).toMatchObject({ desired: 'stopped', reason: 'idle 40m (value 0 <= 0.1 for 30m)' });
    expect(step.state.blocked).toBeNull();
  });

  it('never stops within one start window of the next scheduled start, counting a deferred stop from when it can go', () => {
    const idle = idleClock('2026-11-23T17:00:00Z');
    const nextStart = new Date('2026-11-23T18:45:00Z'); // e.g. a second window starting soon
    idle.readMany(31, 'idle', { guard: { startRule, nextStart, stopFreeAt: new Date('2026-11-23T17:50:00Z') } });
    expect(idle.state().decision).toBeNull();
    expect(idle.state().blocked).toMatchObject({ label: 'next-start', reason: 'idle stop blocked: the next scheduled start at 2026-11-23T18:45:00.000Z is within one start window (1 start per 1h)' });
    // with the stop budget free, 17:31 is 74 minutes before the start: allowed
    expect(idle.read('idle', { guard: { startRule, nextStart } }).state.decision).toMatchObject({ desired: 'stopped' });
  });

  it('a provider without a start limit is never blocked', () => {
    const idle = idleClock('2026-11-23T09:00:00Z');
    idle.readMany(31, 'idle', { guard: { startRule: undefined, startFreeAt: new Date('2026-11-23T12:00:00Z'), nextStart: new Date('2026-11-23T09:31:00Z') } });
    expect(idle.state().decision).toMatchObject({ desired: 'stopped' });
  });
});
