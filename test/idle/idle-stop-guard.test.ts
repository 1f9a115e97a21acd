import { describe, expect, it } from 'vitest';
import { idleStopGuard, nextScheduledStart } from '../../src/idle/idle-stop-guard.ts';
import { edgeSchedule } from '../support/fake-schedule.ts';

const at = new Date('2026-11-23T11:00:00Z');
const hourly = { max: 1, perMs: 3_600_000 };

describe('idleStopGuard', () => {
  it('lets the stop go when a start is possible now and the next start is more than a window (with margin) away', () => {
    expect(idleStopGuard({ at, startRule: hourly, startFreeAt: null, stopFreeAt: null, nextStart: new Date('2026-11-23T12:01:13Z') })).toBeNull();
    expect(idleStopGuard({ at, startRule: hourly, startFreeAt: null, stopFreeAt: null, nextStart: null })).toBeNull();
  });

  it('blocks while the start budget is spent', () => {
    const block = idleStopGuard({ at, startRule: hourly, startFreeAt: new Date('2026-11-23T11:20:00Z'), stopFreeAt: null, nextStart: null });
    expect(block).toMatchObject({ label: 'start-budget', until: new Date('2026-11-23T11:20:00Z') });
  });

  it('blocks within one start window of the next scheduled start; the 2% margin of the limiter counts', () => {
    // EMQX: 60m + 5s margin
    expect(idleStopGuard({ at, startRule: hourly, startFreeAt: null, stopFreeAt: null, nextStart: new Date('2026-11-23T12:00:04Z') })).toMatchObject({ label: 'next-start' });
    expect(idleStopGuard({ at, startRule: hourly, startFreeAt: null, stopFreeAt: null, nextStart: new Date('2026-11-23T12:00:06Z') })).toBeNull();
  });

  it('counts from when a stop waiting for its own budget would go out', () => {
    const input = { at, startRule: hourly, startFreeAt: null, nextStart: new Date('2026-11-23T13:00:00Z') };
    expect(idleStopGuard({ ...input, stopFreeAt: new Date('2026-11-23T11:30:00Z') })).toBeNull();
    expect(idleStopGuard({ ...input, stopFreeAt: new Date('2026-11-23T12:30:00Z') })).toMatchObject({ label: 'next-start' });
  });
});

describe('nextScheduledStart', () => {
  it('is the next edge to running, past the end of the current window', () => {
    const schedule = edgeSchedule('office', 'stopped', [
      { at: '2026-11-23T08:00:00Z', state: 'running' },
      { at: '2026-11-23T12:00:00Z', state: 'stopped' },
      { at: '2026-11-23T12:30:00Z', state: 'running' },
    ]);
    expect(nextScheduledStart(schedule, at)).toEqual(new Date('2026-11-23T12:30:00Z'));
    expect(nextScheduledStart(schedule, new Date('2026-11-23T13:00:00Z'))).toBeNull();
  });
});
