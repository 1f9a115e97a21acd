import { readdirSync, readFileSync } from 'node:fs';
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../src/schedule/compile-schedule.ts';
import type { CompiledSchedule } from '../../src/schedule/compiled-schedule.ts';
import type { ScheduleSpec } from '../../src/schedule/schedule-spec.ts';
import { edges, scheduleError, stateAt } from '../support/schedule-probes.ts';

const compile = (spec: ScheduleSpec, name = 'office') => compileSchedule(name, spec, { timezone: 'UTC' });
const periods = (running: string[], timezone = 'UTC', except?: string[]) => compile({ timezone, running, ...(except ? { except } : {}) });
const cron = (start: string, stop: string, timezone = 'UTC', except?: string[]) =>
  compile({ timezone, cron: { start, stop }, ...(except ? { except } : {}) }, 'nightly');

const states = (schedule: CompiledSchedule, instants: string[]) => instants.map((at) => stateAt(schedule, at));
const reasons = (schedule: CompiledSchedule, from: string, until: string) =>
  schedule.nextTransitions(new Date(from), new Date(until)).map((t) => t.reason);

// 2026-03-02 is a Monday.
describe('periods', () => {
  const office = periods(['Mon-Fri 08:00-19:00'], 'Europe/Berlin');

  it('is running within a window and says which, stopped outside', () => {
    expect(office.stateAt(new Date('2026-03-02T10:00:00Z'))).toEqual({ state: 'running', reason: 'schedule office: within Mon-Fri 08:00-19:00' });
    expect(office.stateAt(new Date('2026-03-07T10:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule office: outside running windows' });
    // 08:00 Berlin is 07:00Z in winter: the start is inclusive, the end exclusive.
    expect(states(office, ['2026-03-02T06:59:59.999Z', '2026-03-02T07:00:00Z', '2026-03-02T17:59:59.999Z', '2026-03-02T18:00:00Z'])).toEqual([
      'stopped', 'running', 'running', 'stopped',
    ]);
  });

  it('lists the transitions of a week with began/ended reasons', () => {
    const week = office.nextTransitions(new Date('2026-03-01T00:00:00Z'), new Date('2026-03-08T00:00:00Z'));
    expect(week).toHaveLength(10);
    expect(week[0]).toEqual({ at: new Date('2026-03-02T07:00:00Z'), state: 'running', reason: 'schedule office: Mon-Fri 08:00-19:00 began' });
    expect(week[1]).toEqual({ at: new Date('2026-03-02T18:00:00Z'), state: 'stopped', reason: 'schedule office: Mon-Fri 08:00-19:00 ended' });
    expect(week.at(-1)!.at).toEqual(new Date('2026-03-06T18:00:00Z'));
  });

  it('returns transitions strictly after from and up to until, inclusive', () => {
    expect(edges(office, '2026-03-02T07:00:00Z', '2026-03-02T18:00:00Z')).toEqual(['2026-03-02T18:00:00.000Z stopped']);
    expect(edges(office, '2026-03-02T06:00:00Z', '2026-03-02T07:00:00Z')).toEqual(['2026-03-02T07:00:00.000Z running']);
    expect(edges(office, '2026-03-02T07:00:00Z', '2026-03-02T07:00:00Z')).toEqual([]);
    expect(edges(office, '2026-03-03T00:00:00Z', '2026-03-02T00:00:00Z')).toEqual([]);
  });

  it('finds the last change at or before an instant, and the next one after', () => {
    const saturday = new Date('2026-03-07T10:00:00Z');
    expect(office.lastTransition(saturday)?.at).toEqual(new Date('2026-03-06T18:00:00Z'));
    expect(office.nextTransition(saturday)?.at).toEqual(new Date('2026-03-09T07:00:00Z'));
    expect(office.lastTransition(new Date('2026-03-02T07:00:00Z'))?.at).toEqual(new Date('2026-03-02T07:00:00Z'));
    expect(office.nextTransition(new Date('2026-03-02T07:00:00Z'))?.at).toEqual(new Date('2026-03-02T18:00:00Z'));
  });

  it('merges adjacent and overlapping windows: no change where one hands over to the next', () => {
    const split = periods(['Mon 08:00-12:00', 'Mon 12:00-18:00', 'Mon 17:00-20:00']);
    expect(edges(split, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')).toEqual(['2026-03-02T08:00:00.000Z running', '2026-03-02T20:00:00.000Z stopped']);
    expect(reasons(split, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')).toEqual([
      'schedule office: Mon 08:00-12:00 began',
      'schedule office: Mon 17:00-20:00 ended',
    ]);
    const days = periods(['Sat 18:00-24:00', 'Sun 00:00-06:00']);
    expect(edges(days, '2026-03-07T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual(['2026-03-07T18:00:00.000Z running', '2026-03-08T06:00:00.000Z stopped']);
    const always = periods(['daily 00:00-24:00']);
    expect(always.nextTransition(new Date('2026-03-02T00:00:00Z'))).toBeNull();
    expect(always.lastTransition(new Date('2026-03-02T00:00:00Z'))).toBeNull();
    expect(stateAt(always, '2026-03-02T00:00:00Z')).toBe('running');
  });

  it('wraps day ranges over the weekend', () => {
    const weekend = periods(['Fri-Mon 08:00-12:00']);
    expect(states(weekend, ['2026-03-06T09:00:00Z', '2026-03-07T09:00:00Z', '2026-03-08T09:00:00Z', '2026-03-09T09:00:00Z', '2026-03-10T09:00:00Z'])).toEqual([
      'running', 'running', 'running', 'running', 'stopped',
    ]);
  });

  it('ends a window that crosses midnight on the next day', () => {
    const nights = periods(['Mon-Fri 22:00-06:00']);
    expect(states(nights, [
      '2026-03-02T05:00:00Z', // Monday morning: Sunday started no window
      '2026-03-02T23:00:00Z',
      '2026-03-03T05:59:00Z',
      '2026-03-03T06:00:00Z',
      '2026-03-07T05:00:00Z', // Saturday morning: Friday's window
      '2026-03-07T23:00:00Z',
    ])).toEqual(['stopped', 'running', 'running', 'stopped', 'running', 'stopped']);
  });

  it('spans the weekend: Fri 18:00-Mon 07:00', () => {
    const weekend = periods(['Fri 18:00-Mon 07:00'], 'Europe/Berlin');
    // Monday 2 March 01:00 local is still inside the previous weekend's span.
    expect(edges(weekend, '2026-03-02T00:00:00Z', '2026-03-16T00:00:00Z')).toEqual([
      '2026-03-02T06:00:00.000Z stopped',
      '2026-03-06T17:00:00.000Z running',
      '2026-03-09T06:00:00.000Z stopped',
      '2026-03-13T17:00:00.000Z running',
    ]);
    expect(stateAt(weekend, '2026-03-08T12:00:00Z')).toBe('running');
    expect(weekend.stateAt(new Date('2026-03-08T12:00:00Z')).reason).toBe('schedule office: within Fri 18:00-Mon 07:00');
    // Monday 06:59 local is still inside; lastTransition reaches back to Friday.
    expect(weekend.lastTransition(new Date('2026-03-09T05:59:00Z'))?.at).toEqual(new Date('2026-03-06T17:00:00Z'));
  });

  it('runs on nth and last weekdays of the month only', () => {
    const firstMonday = periods(['Mon#1 09:00-17:00']);
    expect(edges(firstMonday, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      '2026-03-02T09:00:00.000Z running',
      '2026-03-02T17:00:00.000Z stopped',
      '2026-04-06T09:00:00.000Z running',
      '2026-04-06T17:00:00.000Z stopped',
    ]);
    const lastFriday = periods(['Fri#L 09:00-12:00']);
    expect(edges(lastFriday, '2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z').filter((edge) => edge.endsWith('running'))).toEqual([
      '2026-03-27T09:00:00.000Z running',
      '2026-04-24T09:00:00.000Z running',
    ]);
  });

  it('applies month and month-day qualifiers to the day a window starts on', () => {
    const quarter = periods(['Mon-Fri 08:00-19:00 months Jan-Mar']);
    expect(states(quarter, ['2026-03-31T10:00:00Z', '2026-04-01T10:00:00Z', '2026-12-31T10:00:00Z', '2027-01-01T10:00:00Z'])).toEqual([
      'running', 'stopped', 'stopped', 'running',
    ]);
    const firstHalf = periods(['daily 09:00-17:00 days 1-15', 'daily 09:00-10:00 days L']);
    expect(states(firstHalf, ['2026-03-15T10:00:00Z', '2026-03-16T10:00:00Z', '2026-03-31T09:30:00Z', '2026-03-31T10:30:00Z'])).toEqual([
      'running', 'stopped', 'running', 'stopped',
    ]);
    // A night that starts on 31 January runs into February.
    const january = periods(['daily 22:00-06:00 months Jan']);
    expect(states(january, ['2026-02-01T05:00:00Z', '2026-02-01T23:00:00Z'])).toEqual(['running', 'stopped']);
  });
});

describe('except dates', () => {
  it('stops a whole excepted day, with its reason', () => {
    const office = periods(['Mon-Fri 08:00-19:00'], 'Europe/Berlin', ['2026-12-25', '2026-12-30..2026-12-31']);
    expect(office.stateAt(new Date('2026-12-25T10:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule office: except 2026-12-25' });
    expect(office.stateAt(new Date('2026-12-31T10:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule office: except 2026-12-30..2026-12-31' });
    expect(stateAt(office, '2026-12-29T10:00:00Z')).toBe('running');
    expect(edges(office, '2026-12-24T12:00:00Z', '2027-01-02T00:00:00Z')).toEqual([
      '2026-12-24T18:00:00.000Z stopped',
      '2026-12-28T07:00:00.000Z running',
      '2026-12-28T18:00:00.000Z stopped',
      '2026-12-29T07:00:00.000Z running',
      '2026-12-29T18:00:00.000Z stopped',
      '2027-01-01T07:00:00.000Z running',
      '2027-01-01T18:00:00.000Z stopped',
    ]);
  });

  it('stops the part of a window that runs into an excepted day, and resumes after it', () => {
    const nights = periods(['daily 22:00-06:00'], 'Europe/Berlin', ['2026-12-25']);
    const transitions = nights.nextTransitions(new Date('2026-12-24T12:00:00Z'), new Date('2026-12-26T12:00:00Z'));
    expect(transitions.map((t) => `${t.at.toISOString()} ${t.state} ${t.reason}`)).toEqual([
      '2026-12-24T21:00:00.000Z running schedule office: daily 22:00-06:00 began',
      '2026-12-24T23:00:00.000Z stopped schedule office: except 2026-12-25', // 00:00 local on the 25th
      '2026-12-25T23:00:00.000Z running schedule office: except 2026-12-25 ended', // the 25th's window, from 00:00 on the 26th
      '2026-12-26T05:00:00.000Z stopped schedule office: daily 22:00-06:00 ended',
    ]);
  });

  it('says the window ended when it ends at the midnight an excepted day begins', () => {
    const evening = periods(['daily 20:00-24:00'], 'UTC', ['2026-12-25']);
    expect(reasons(evening, '2026-12-24T12:00:00Z', '2026-12-25T12:00:00Z')).toEqual([
      'schedule office: daily 20:00-24:00 began',
      'schedule office: daily 20:00-24:00 ended',
    ]);
  });
});

describe('cron pair', () => {
  it('is in the state of whichever fired last (5 fields), with DESIGN reasons', () => {
    const nightly = cron('0 8 * * 1-5', '0 19 * * 1-5', 'Europe/Paris');
    expect(nightly.stateAt(new Date('2026-03-02T10:00:00Z'))).toEqual({ state: 'running', reason: 'schedule nightly: cron start "0 8 * * 1-5" fired' });
    expect(nightly.stateAt(new Date('2026-03-07T10:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule nightly: cron stop "0 19 * * 1-5" fired' });
    expect(nightly.nextTransitions(new Date('2026-03-02T00:00:00Z'), new Date('2026-03-03T00:00:00Z'))).toEqual([
      { at: new Date('2026-03-02T07:00:00Z'), state: 'running', reason: 'schedule nightly: cron start "0 8 * * 1-5" fired' },
      { at: new Date('2026-03-02T18:00:00Z'), state: 'stopped', reason: 'schedule nightly: cron stop "0 19 * * 1-5" fired' },
    ]);
  });

  it('takes 6 fields with seconds first', () => {
    const nightly = cron('30 0 8 * * *', '15 30 18 * * *');
    expect(edges(nightly, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')).toEqual([
      '2026-03-02T08:00:30.000Z running',
      '2026-03-02T18:30:15.000Z stopped',
    ]);
    expect(states(nightly, ['2026-03-02T08:00:29.999Z', '2026-03-02T08:00:30Z'])).toEqual(['stopped', 'running']);
  });

  it('lets stop win when both fire at the same time', () => {
    const mondaysOff = cron('0 8 * * *', '0 8 * * 1');
    expect(states(mondaysOff, ['2026-03-02T09:00:00Z', '2026-03-03T09:00:00Z'])).toEqual(['stopped', 'running']);
    expect(edges(mondaysOff, '2026-03-01T12:00:00Z', '2026-03-04T12:00:00Z')).toEqual([
      '2026-03-02T08:00:00.000Z stopped',
      '2026-03-03T08:00:00.000Z running',
    ]);
  });

  it('ignores starts while running and stops while stopped', () => {
    const keepAlive = cron('*/5 * * * *', '0 19 * * *');
    expect(edges(keepAlive, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')).toEqual([
      '2026-03-02T19:00:00.000Z stopped',
      '2026-03-02T19:05:00.000Z running',
    ]);
  });

  it('applies except days, then resumes the state of the last fire', () => {
    const week = cron('0 8 * * 1', '0 19 * * 5', 'UTC', ['2026-03-04']);
    expect(week.stateAt(new Date('2026-03-04T12:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule nightly: except 2026-03-04' });
    expect(week.nextTransitions(new Date('2026-03-02T00:00:00Z'), new Date('2026-03-07T00:00:00Z')).map((t) => `${t.at.toISOString()} ${t.reason}`)).toEqual([
      '2026-03-02T08:00:00.000Z schedule nightly: cron start "0 8 * * 1" fired',
      '2026-03-04T00:00:00.000Z schedule nightly: except 2026-03-04',
      '2026-03-05T00:00:00.000Z schedule nightly: except 2026-03-04 ended',
      '2026-03-06T19:00:00.000Z schedule nightly: cron stop "0 19 * * 5" fired',
    ]);
  });

  it.each([
    ['start', '0 8 * *', '0 19 * * *', 'invalid cron start "0 8 * *": expected 5 fields (minute hour day month weekday) or 6 with seconds first, got 4'],
    ['start', '0 0 0 8 * * *', '0 19 * * *', 'got 7'],
    ['start', '@daily', '0 19 * * *', 'got 1'],
    ['stop', '0 8 * * *', '0 25 * * *', 'invalid cron stop "0 25 * * *": Invalid value for hour: 25'],
    ['stop', '0 8 * * *', '0 0 31 2 *', 'invalid cron stop "0 0 31 2 *": it never fires'],
    ['start', 'nonsense x y z w', '0 19 * * *', 'invalid cron start "nonsense x y z w"'],
  ])('rejects a bad %s pattern (start %j, stop %j), naming its path', (which, start, stop, message) => {
    const error = scheduleError(() => cron(start, stop));
    expect(error.message).toContain(message);
    expect(error.path).toEqual(['cron', which]);
  });
});

describe('DST: edges in a skipped hour happen at the first valid instant after it, in a repeated hour at its first occurrence', () => {
  it('Europe/Berlin (02:00 -> 03:00 on 29 March, 03:00 -> 02:00 on 25 October)', () => {
    const early = periods(['daily 02:30-04:00', 'daily 01:00-02:15'], 'Europe/Berlin');
    // Spring: 01:00 starts, 02:15 would end and 02:30 begin inside the gap -> one run through to 04:00 CEST.
    expect(edges(early, '2026-03-28T23:30:00Z', '2026-03-29T12:00:00Z')).toEqual([
      '2026-03-29T00:00:00.000Z running',
      '2026-03-29T02:00:00.000Z stopped',
    ]);
    // Autumn: 02:15 and 02:30 are their first occurrences (CEST); 04:00 is CET.
    expect(edges(early, '2026-10-24T22:30:00Z', '2026-10-25T12:00:00Z')).toEqual([
      '2026-10-24T23:00:00.000Z running',
      '2026-10-25T00:15:00.000Z stopped',
      '2026-10-25T00:30:00.000Z running',
      '2026-10-25T03:00:00.000Z stopped',
    ]);
    const inGap = periods(['daily 02:10-02:50'], 'Europe/Berlin');
    expect(edges(inGap, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).toEqual([]);
    // In the repeated hour the window runs in the first pass only.
    expect(edges(inGap, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual(['2026-10-25T00:10:00.000Z running', '2026-10-25T00:50:00.000Z stopped']);
    expect(states(inGap, ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z'])).toEqual(['running', 'stopped']);
    expect(inGap.lastTransition(new Date('2026-10-25T01:30:00Z'))?.at).toEqual(new Date('2026-10-25T00:50:00Z'));
  });

  it('America/New_York (02:00 -> 03:00 on 8 March, 02:00 -> 01:00 on 1 November)', () => {
    const night = periods(['daily 02:30-08:00', 'daily 00:00-01:30'], 'America/New_York');
    expect(edges(night, '2026-03-08T04:00:00Z', '2026-03-08T18:00:00Z')).toEqual([
      '2026-03-08T05:00:00.000Z running', // 00:00 EST
      '2026-03-08T06:30:00.000Z stopped', // 01:30 EST
      '2026-03-08T07:00:00.000Z running', // 02:30 is skipped: 03:00 EDT
      '2026-03-08T12:00:00.000Z stopped', // 08:00 EDT
    ]);
    expect(edges(night, '2026-11-01T03:00:00Z', '2026-11-01T18:00:00Z')).toEqual([
      '2026-11-01T04:00:00.000Z running', // 00:00 EDT
      '2026-11-01T05:30:00.000Z stopped', // 01:30 EDT, the first one
      '2026-11-01T07:30:00.000Z running', // 02:30 EST
      '2026-11-01T13:00:00.000Z stopped', // 08:00 EST
    ]);
    // 01:15 EST (second pass) is outside: the clock showed 01:30 EDT already.
    expect(stateAt(night, '2026-11-01T06:15:00Z')).toBe('stopped');
  });

  it('Australia/Sydney (03:00 -> 02:00 on 5 April, 02:00 -> 03:00 on 4 October)', () => {
    const night = periods(['daily 02:30-06:00'], 'Australia/Sydney');
    expect(edges(night, '2026-10-03T12:00:00Z', '2026-10-04T12:00:00Z')).toEqual([
      '2026-10-03T16:00:00.000Z running', // 02:30 is skipped: 03:00 AEDT
      '2026-10-03T19:00:00.000Z stopped', // 06:00 AEDT
    ]);
    expect(edges(night, '2026-04-04T12:00:00Z', '2026-04-05T12:00:00Z')).toEqual([
      '2026-04-04T15:30:00.000Z running', // 02:30 AEDT, the first one
      '2026-04-04T20:00:00.000Z stopped', // 06:00 AEST
    ]);
  });

  it('cron edges follow the same rule, where croner on its own skips or repeats interval patterns', () => {
    const halfHours = cron('0,30 2 * * *', '0 5 * * *', 'Europe/Berlin');
    expect(edges(halfHours, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).toEqual(['2026-03-29T01:00:00.000Z running', '2026-03-29T03:00:00.000Z stopped']);
    // croner's own zone handling skips this interval pattern's fires on the spring-forward day...
    const native = new Cron('0,30 2 * * *', { timezone: 'Europe/Berlin' });
    expect(native.nextRun(new Date('2026-03-28T12:00:00Z'))).toEqual(new Date('2026-03-30T00:00:00Z'));
    // ...and fires it in both passes of the repeated hour, where we fire only the first.
    expect(native.nextRuns(4, new Date('2026-10-24T12:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-10-25T00:00:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z',
    ]);
    const flip = cron('0,30 2 * * *', '15 2 * * *', 'Europe/Berlin');
    expect(edges(flip, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual([
      '2026-10-25T00:15:00.000Z stopped',
      '2026-10-25T00:30:00.000Z running',
    ]);
    // Fixed-time patterns agree with croner: the first valid instant after the gap, the first occurrence.
    expect(new Cron('30 2 * * *', { timezone: 'Europe/Berlin' }).nextRun(new Date('2026-03-28T12:00:00Z'))).toEqual(new Date('2026-03-29T01:00:00Z'));

    const newYork = cron('30 2 * * *', '30 1 * * *', 'America/New_York');
    expect(edges(newYork, '2026-03-08T00:00:00Z', '2026-03-08T12:00:00Z')).toEqual(['2026-03-08T06:30:00.000Z stopped', '2026-03-08T07:00:00.000Z running']);
    expect(edges(newYork, '2026-11-01T00:00:00Z', '2026-11-01T12:00:00Z')).toEqual(['2026-11-01T05:30:00.000Z stopped', '2026-11-01T07:30:00.000Z running']);
  });

  it('folds cron fires in a skipped hour onto one instant, in wall-clock order', () => {
    // Stopped 02:00-02:30 every night; on 4 October both fall in the gap, so nothing changes.
    const shortBreak = cron('30 2 * * *', '0 2 * * *', 'Australia/Sydney');
    expect(edges(shortBreak, '2026-10-02T12:00:00Z', '2026-10-04T14:00:00Z')).toEqual([
      '2026-10-02T16:00:00.000Z stopped',
      '2026-10-02T16:30:00.000Z running',
    ]);
    // Running 02:00-02:30: on 4 October it never gets going.
    const shortRun = cron('0 2 * * *', '30 2 * * *', 'Australia/Sydney');
    expect(edges(shortRun, '2026-10-03T12:00:00Z', '2026-10-04T14:00:00Z')).toEqual([]);
    expect(stateAt(shortRun, '2026-10-03T16:00:00Z')).toBe('stopped');
  });
});

describe('errors', () => {
  it('rejects an unknown timezone at path timezone', () => {
    const error = scheduleError(() => periods(['Mon-Fri 08:00-19:00'], 'Europe/Berln'));
    expect(error.message).toBe('unknown timezone "Europe/Berln"');
    expect(error.path).toEqual(['timezone']);
    expect(scheduleError(() => compileSchedule('x', { running: ['daily 08:00-09:00'] }, { timezone: 'Mars/Olympus' })).path).toEqual(['timezone']);
  });

  it('names the entry of a bad window and a bad except date', () => {
    const window = scheduleError(() => periods(['Mon-Fri 08:00-19:00', 'Mon-Fri 8-19']));
    expect(window.message).toBe('invalid window "Mon-Fri 8-19": expected HH:MM-HH:MM after the days');
    expect(window.path).toEqual(['running', 1]);
    const except = scheduleError(() => periods(['Mon-Fri 08:00-19:00'], 'UTC', ['2026-02-30']));
    expect(except.path).toEqual(['except', 0]);
  });

  it('needs no timezone for always and never', () => {
    const always = compileSchedule('up', 'always', { timezone: 'UTC' });
    expect(always.stateAt(new Date('2026-03-02T00:00:00Z'))).toEqual({ state: 'running', reason: 'schedule up: always running' });
    expect(always.nextTransition(new Date('2026-03-02T00:00:00Z'))).toBeNull();
    expect(always.lastTransition(new Date('2026-03-02T00:00:00Z'))).toBeNull();
    expect(compileSchedule('down', 'never', { timezone: 'UTC' }).stateAt(new Date('2026-03-02T00:00:00Z')).state).toBe('stopped');
  });
});

describe('consistency of stateAt, nextTransitions and lastTransition', () => {
  const schedules: Record<string, CompiledSchedule> = {
    berlin: periods(
      ['Mon-Fri 08:00-12:00', 'Mon-Fri 12:00-19:00', 'Sat 10:00-14:00', 'Fri 22:00-Mon 06:00', 'daily 02:15-02:45'],
      'Europe/Berlin',
      ['2026-03-31', '2026-10-20..2026-10-23'],
    ),
    newYork: periods(['daily 01:30-02:30', 'Mon#1 09:00-17:00', 'Fri#L 18:00-24:00', 'daily 23:00-01:00 days 1-7'], 'America/New_York'),
    sydney: periods(['daily 02:15-02:45', 'Mon-Fri 08:00-19:00 months Mar-May,Sep-Nov', 'Sun 01:00-Sun 03:00'], 'Australia/Sydney', ['2026-04-06']),
    sydneyCron: cron('0,30 2 * * *', '15 2,3 * * *', 'Australia/Sydney', ['2026-04-05']),
    berlinCron: cron('0 0 8 * * 1-5', '0 30 18 * * 1-5', 'Europe/Berlin', ['2026-10-26']),
    newYorkCron: cron('30 1 * * *', '45 1,2 * * *', 'America/New_York'),
  };
  const dstDays = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01'];

  /** A fixed pseudo-random spread over 2026 plus dense runs over every DST change. */
  function instants(): number[] {
    const result: number[] = [];
    let seed = 20_260_101;
    for (let i = 0; i < 150; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      result.push(Date.parse('2026-01-01T00:00:00Z') + Math.floor((seed / 2_147_483_648) * 365 * 86_400_000));
    }
    for (const day of dstDays) {
      for (let at = Date.parse(`${day}T00:00:00Z`) - 18 * 3_600_000; at < Date.parse(`${day}T00:00:00Z`) + 18 * 3_600_000; at += 13 * 60_000) result.push(at);
    }
    return result;
  }

  it.each(Object.keys(schedules))('%s: the state at t is the state of the last change, and the next change really changes it', (name) => {
    const schedule = schedules[name]!;
    for (const time of instants()) {
      const at = new Date(time);
      const now = schedule.stateAt(at).state;
      const last = schedule.lastTransition(at);
      const next = schedule.nextTransition(at);
      if (last) {
        expect(last.at.getTime()).toBeLessThanOrEqual(time);
        expect(last.state).toBe(now);
        expect(schedule.stateAt(new Date(last.at.getTime() - 1)).state).not.toBe(last.state);
        expect(schedule.nextTransition(new Date(last.at.getTime() - 1))).toEqual(last);
      }
      if (next) {
        expect(next.at.getTime()).toBeGreaterThan(time);
        expect(next.state).not.toBe(now);
        expect(schedule.stateAt(next.at).state).toBe(next.state);
        expect(schedule.stateAt(new Date(next.at.getTime() - 1)).state).toBe(now);
        expect(schedule.lastTransition(next.at)).toEqual(next);
      }
      if (last && next) {
        expect(schedule.nextTransitions(new Date(last.at.getTime() - 1), next.at)).toEqual([last, next]);
      }
    }
  });

  it.each(Object.keys(schedules))('%s: nextTransitions matches a minute-by-minute scan of stateAt around DST changes', (name) => {
    const schedule = schedules[name]!;
    for (const day of dstDays) {
      const from = Date.parse(`${day}T00:00:00Z`) - 36 * 3_600_000;
      const until = from + 72 * 3_600_000;
      const scanned: string[] = [];
      let previous = schedule.stateAt(new Date(from)).state;
      for (let at = from + 60_000; at <= until; at += 60_000) {
        const state = schedule.stateAt(new Date(at)).state;
        if (state !== previous) scanned.push(`${new Date(at).toISOString()} ${state}`);
        previous = state;
      }
      expect(edges(schedule, new Date(from).toISOString(), new Date(until).toISOString())).toEqual(scanned);
    }
  });

  it('gives the same answer however the range is cut', () => {
    const schedule = schedules.berlin!;
    const whole = schedule.nextTransitions(new Date('2026-03-01T00:00:00Z'), new Date('2026-05-01T00:00:00Z'));
    const pieces: unknown[] = [];
    for (let at = Date.parse('2026-03-01T00:00:00Z'); at < Date.parse('2026-05-01T00:00:00Z'); at += 5 * 3_600_000 + 17 * 60_000) {
      pieces.push(...schedule.nextTransitions(new Date(at), new Date(Math.min(at + 5 * 3_600_000 + 17 * 60_000, Date.parse('2026-05-01T00:00:00Z')))));
    }
    expect(pieces).toEqual(whole);
    expect(whole.length).toBeGreaterThan(50);
    whole.forEach((transition, index) => {
      if (index > 0) expect(transition.state).not.toBe(whole[index - 1]!.state);
    });
  });
});

describe('purity', () => {
  it('never reads the clock in src/schedule', () => {
    const dir = new URL('../../src/schedule/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const source = readFileSync(new URL(file, dir), 'utf8');
      expect(source, file).not.toMatch(/Date\.now\(|new Date\(\)/);
    }
  });
});
