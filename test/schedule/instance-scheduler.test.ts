// AWS Instance Scheduler periods, evaluated as instance-scheduler-on-aws v3 evaluates them: the third state
// `any`, the adjacency rule, the recurrence grammar of each field, validation, and DST edges.
import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../src/schedule/compile-schedule.ts';
import type { InstancePeriodSpec, InstanceSchedulerScheduleSpec } from '../../src/schedule/schedule-spec.ts';
import { edges, scheduleError, stateAt } from '../support/schedule-probes.ts';

const schedule = (periods: InstancePeriodSpec[], extra: Omit<InstanceSchedulerScheduleSpec, 'periods'> = {}) =>
  compileSchedule('ais', { periods, ...extra }, { timezone: 'UTC' });
/** the days of a month a period with only recurrence fields runs on */
const daysOf = (period: InstancePeriodSpec, year: number, month: number): number[] => {
  const compiled = schedule([period]);
  const days: number[] = [];
  for (let day = 1; day <= new Date(Date.UTC(year, month, 0)).getUTCDate(); day++) {
    if (stateAt(compiled, new Date(Date.UTC(year, month - 1, day, 12)).toISOString()) === 'running') days.push(day);
  }
  return days;
};

// 2026-03-02 is a Monday.
describe('one period', () => {
  it('runs in [begintime, endtime) on the days its fields allow, to the second', () => {
    const office = schedule([{ begintime: '09:00', endtime: '17:00', weekdays: 'mon-fri' }], { timezone: 'Europe/Berlin' });
    expect(['2026-03-02T07:59:59Z', '2026-03-02T08:00:00Z', '2026-03-02T15:59:59Z', '2026-03-02T16:00:00Z', '2026-03-07T10:00:00Z'].map((at) => stateAt(office, at))).toEqual([
      'stopped', 'running', 'running', 'stopped', 'stopped',
    ]);
    expect(office.stateAt(new Date('2026-03-02T10:00:00Z')).reason).toBe('schedule ais: within period 09:00-17:00 weekdays mon-fri');
    expect(office.nextTransition(new Date('2026-03-02T10:00:00Z'))!.reason).toBe('schedule ais: period 09:00-17:00 weekdays mon-fri ended');
  });

  it('runs all day without times; names the period by its name when it has one', () => {
    const weekend = schedule([{ name: 'weekend', weekdays: 'sat,sun' }]);
    expect(stateAt(weekend, '2026-03-07T00:00:00Z')).toBe('running');
    expect(stateAt(weekend, '2026-03-09T00:00:00Z')).toBe('stopped');
    expect(weekend.stateAt(new Date('2026-03-08T12:00:00Z')).reason).toBe('schedule ais: within period weekend');
  });

  it('with only a begintime: any before it, running from it; stopped on other days', () => {
    const morning = schedule([{ begintime: '09:00', weekdays: 'mon-fri' }]);
    expect(morning.stateAt(new Date('2026-03-02T08:59:59Z'))).toEqual({
      state: 'any',
      reason: 'schedule ais: period from 09:00 weekdays mon-fri has only a begin time, not reached yet: the state is left alone',
    });
    expect(stateAt(morning, '2026-03-02T09:00:00Z')).toBe('running');
    expect(stateAt(morning, '2026-03-02T23:59:59Z')).toBe('running');
    expect(stateAt(morning, '2026-03-07T12:00:00Z')).toBe('stopped');
    expect(edges(morning, '2026-03-01T12:00:00Z', '2026-03-03T12:00:00Z')).toEqual([
      '2026-03-02T00:00:00.000Z any',
      '2026-03-02T09:00:00.000Z running',
      '2026-03-03T00:00:00.000Z any',
      '2026-03-03T09:00:00.000Z running',
    ]);
  });

  it('with only an endtime: any before it, stopped from it', () => {
    const evening = schedule([{ endtime: '19:00' }]);
    expect(stateAt(evening, '2026-03-02T18:59:59Z')).toBe('any');
    expect(stateAt(evening, '2026-03-02T19:00:00Z')).toBe('stopped');
    expect(evening.nextTransition(new Date('2026-03-02T12:00:00Z'))).toEqual({ at: new Date('2026-03-02T19:00:00Z'), state: 'stopped', reason: 'schedule ais: period until 19:00 reached its end time' });
  });

  it('has a one-minute gap at 23:59 when a single period ends then (the adjacency rule needs two periods)', () => {
    const allDay = schedule([{ begintime: '00:00', endtime: '23:59' }]);
    expect(stateAt(allDay, '2026-03-02T23:59:30Z')).toBe('stopped');
  });
});

describe('several periods', () => {
  it('is running if any period is, else any if any period is, else stopped', () => {
    const mixed = schedule([
      { begintime: '09:00', endtime: '12:00' },
      { begintime: '14:00' },
    ]);
    expect(stateAt(mixed, '2026-03-02T10:00:00Z')).toBe('running');
    expect(stateAt(mixed, '2026-03-02T13:00:00Z')).toBe('any'); // the begin-only period has not begun
    expect(stateAt(mixed, '2026-03-02T08:00:00Z')).toBe('any');
    expect(stateAt(mixed, '2026-03-02T15:00:00Z')).toBe('running');
    expect(stateAt(schedule([{ begintime: '09:00', endtime: '12:00' }, { weekdays: 'sun' }]), '2026-03-02T13:00:00Z')).toBe('stopped');
  });

  it('joins adjacent periods: stopped now but running a minute before and a minute after', () => {
    const split = schedule([{ begintime: '05:00', endtime: '10:00' }, { begintime: '10:01', endtime: '15:00' }]);
    expect(split.stateAt(new Date('2026-03-02T10:00:30Z'))).toEqual({ state: 'running', reason: 'schedule ais: within period 10:01-15:00 (adjacent to the period before)' });
    expect(edges(split, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')).toEqual(['2026-03-02T05:00:00.000Z running', '2026-03-02T15:00:00.000Z stopped']);
    // two minutes apart is a real gap
    const gap = schedule([{ begintime: '05:00', endtime: '10:00' }, { begintime: '10:02', endtime: '15:00' }]);
    expect(edges(gap, '2026-03-02T00:00:00Z', '2026-03-03T00:00:00Z')).toEqual([
      '2026-03-02T05:00:00.000Z running',
      '2026-03-02T10:00:00.000Z stopped',
      '2026-03-02T10:02:00.000Z running',
      '2026-03-02T15:00:00.000Z stopped',
    ]);
    // 23:59 to 00:00 across two periods is continuous
    const overnight = schedule([{ begintime: '20:00', endtime: '23:59', weekdays: 'mon' }, { endtime: '06:00', begintime: '00:00', weekdays: 'tue' }]);
    expect(edges(overnight, '2026-03-02T00:00:00Z', '2026-03-04T00:00:00Z')).toEqual(['2026-03-02T20:00:00.000Z running', '2026-03-03T06:00:00.000Z stopped']);
  });

  it('override_status beats every period', () => {
    expect(schedule([{ weekdays: 'mon' }], { override_status: 'stopped' }).stateAt(new Date('2026-03-02T12:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule ais: override_status stopped' });
  });

  it('reads the schedule timezone, Etc/GMT+N meaning UTC-N', () => {
    expect(stateAt(schedule([{ begintime: '09:00', endtime: '10:00' }], { timezone: 'Etc/GMT+5' }), '2026-03-02T14:30:00Z')).toBe('running');
  });
});

describe('recurrence fields (AND, on the local date)', () => {
  it('weekdays: 0 = Monday, names, wrapping ranges, steps, L, <day>L and <day>#n', () => {
    // March 2026: Monday 2, 9, 16, 23, 30; Saturday 7, 14, 21, 28; Sunday 1, 8, 15, 22, 29
    expect(daysOf({ weekdays: '0' }, 2026, 3)).toEqual([2, 9, 16, 23, 30]);
    expect(daysOf({ weekdays: 'Monday' }, 2026, 3)).toEqual([2, 9, 16, 23, 30]);
    expect(daysOf({ weekdays: 'sat-mon' }, 2026, 3).slice(0, 5)).toEqual([1, 2, 7, 8, 9]);
    expect(daysOf({ weekdays: '6-0' }, 2026, 3).slice(0, 4)).toEqual([1, 2, 8, 9]);
    expect(daysOf({ weekdays: 'wed-tue' }, 2026, 3)).toHaveLength(31);
    expect(daysOf({ weekdays: 'mon-fri/2' }, 2026, 3).slice(0, 3)).toEqual([2, 4, 6]);
    expect(daysOf({ weekdays: '1/2' }, 2026, 3).slice(0, 3)).toEqual([3, 5, 7]);
    expect(daysOf({ weekdays: 'L' }, 2026, 3)).toEqual([1, 8, 15, 22, 29]);
    expect(daysOf({ weekdays: 'friL' }, 2026, 3)).toEqual([27]);
    expect(daysOf({ weekdays: '5L' }, 2026, 3)).toEqual([28]);
    expect(daysOf({ weekdays: 'sat#1' }, 2026, 3)).toEqual([7]);
    expect(daysOf({ weekdays: '6#5' }, 2026, 3)).toEqual([29]);
    expect(daysOf({ weekdays: 'mon#5' }, 2026, 2)).toEqual([]); // February 2026 has four Mondays
    expect(daysOf({ weekdays: ['mon', 'fri#2'] }, 2026, 3)).toEqual([2, 9, 13, 16, 23, 30]);
    expect(daysOf({ weekdays: '*' }, 2026, 3)).toHaveLength(31);
  });

  it('monthdays: values, non-wrapping ranges, a-L, steps, L and nW', () => {
    expect(daysOf({ monthdays: '1-3,L' }, 2026, 2)).toEqual([1, 2, 3, 28]);
    expect(daysOf({ monthdays: '25-L' }, 2026, 4)).toEqual([25, 26, 27, 28, 29, 30]);
    expect(daysOf({ monthdays: '30-L' }, 2026, 2)).toEqual([]);
    expect(daysOf({ monthdays: '30' }, 2026, 2)).toEqual([]);
    expect(daysOf({ monthdays: '1-31/10' }, 2026, 3)).toEqual([1, 11, 21, 31]);
    expect(daysOf({ monthdays: '10/5' }, 2026, 4)).toEqual([10, 15, 20, 25, 30]);
    // nearest weekday, never leaving the month: August 2026 starts on a Saturday, May 31 2026 is a Sunday
    expect(daysOf({ monthdays: '1W' }, 2026, 8)).toEqual([3]);
    expect(daysOf({ monthdays: '15W' }, 2026, 3)).toEqual([16]); // the 15th is a Sunday
    expect(daysOf({ monthdays: '14W' }, 2026, 3)).toEqual([13]); // the 14th is a Saturday
    expect(daysOf({ monthdays: '31W' }, 2026, 5)).toEqual([29]);
    expect(daysOf({ monthdays: '31W' }, 2026, 4)).toEqual([]);
  });

  it('months: values, names, wrapping ranges, steps; ANDed with the other fields', () => {
    const inMonths = (months: string) => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].filter((month) => daysOf({ months, monthdays: '1' }, 2026, month).length > 0);
    expect(inMonths('jan-mar')).toEqual([1, 2, 3]);
    expect(inMonths('October-Jun')).toEqual([1, 2, 3, 4, 5, 6, 10, 11, 12]);
    expect(inMonths('12-1')).toEqual([1, 12]);
    expect(inMonths('1/3')).toEqual([1, 4, 7, 10]);
    expect(inMonths('feb,8')).toEqual([2, 8]);
    // the first Monday of the month, written as monthdays AND weekdays (not cron's OR)
    expect(daysOf({ monthdays: '1-7', weekdays: 'mon' }, 2026, 3)).toEqual([2]);
  });

  it.each([
    [{ weekdays: 'mon#6' }, 'weekdays', 'must be 1-5'],
    [{ weekdays: '0#0' }, 'weekdays', 'must be 1-5'],
    [{ weekdays: '0#-1' }, 'weekdays', 'is not a value'],
    [{ weekdays: '3-L' }, 'weekdays', '"L" is not allowed'],
    [{ weekdays: 'L-2' }, 'weekdays', 'cannot start with L'],
    [{ weekdays: '7' }, 'weekdays', 'outside 0-6'],
    [{ weekdays: 'thur' }, 'weekdays', 'is not a value'],
    [{ weekdays: [] as string[] }, 'weekdays', 'an empty list'],
    [{ monthdays: '20-15' }, 'monthdays', 'do not wrap'],
    [{ monthdays: '0' }, 'monthdays', 'outside 1-31'],
    [{ monthdays: '32' }, 'monthdays', 'outside 1-31'],
    [{ monthdays: '5L' }, 'monthdays', 'is not a value'],
    [{ monthdays: '1/0' }, 'monthdays', 'at least 1'],
    [{ months: 'L' }, 'months', '"L" is not allowed'],
    [{ months: '13' }, 'months', 'outside 1-12'],
    [{ months: '0' }, 'months', 'outside 1-12'],
    [{ months: '1W' }, 'months', 'is not a value'],
    [{ begintime: '24:00' }, 'begintime', 'is not a time'],
    [{ endtime: '10:5' }, 'endtime', 'is not a time'],
  ])('refuses %j at periods[0].%s', (period, field, message) => {
    const error = scheduleError(() => schedule([period as InstancePeriodSpec]));
    expect(error.path).toEqual(['periods', 0, field]);
    expect(error.message).toContain(message);
  });

  it('refuses an empty period and one that ends before it begins', () => {
    expect(scheduleError(() => schedule([{}])).message).toContain('at least one of begintime');
    const backwards = scheduleError(() => schedule([{ name: 'night', begintime: '22:00', endtime: '06:00' }]));
    expect(backwards.path).toEqual(['periods', 0]);
    expect(backwards.message).toBe('invalid period "night": begintime 22:00 is after endtime 06:00 (periods do not run past midnight: use two periods)');
  });
});

describe('DST', () => {
  it('America/New_York: a begin in the skipped hour happens at 03:00; Europe/Berlin: an end in the repeated hour at its first pass', () => {
    const ny = schedule([{ begintime: '02:30', endtime: '03:30' }], { timezone: 'America/New_York' });
    expect(edges(ny, '2026-03-08T00:00:00Z', '2026-03-08T12:00:00Z')).toEqual(['2026-03-08T07:00:00.000Z running', '2026-03-08T07:30:00.000Z stopped']);
    const berlin = schedule([{ begintime: '01:00', endtime: '02:30' }], { timezone: 'Europe/Berlin' });
    expect(edges(berlin, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual(['2026-10-24T23:00:00.000Z running', '2026-10-25T00:30:00.000Z stopped']);
  });

  it('Australia/Sydney: a period inside the skipped hour folds away', () => {
    const sydney = schedule([{ begintime: '02:00', endtime: '02:45' }], { timezone: 'Australia/Sydney' });
    // 2026-10-04 02:00 -> 03:00 (16:00Z on the 3rd): no run that night; the night before runs as usual
    expect(edges(sydney, '2026-10-02T12:00:00Z', '2026-10-04T12:00:00Z')).toEqual(['2026-10-02T16:00:00.000Z running', '2026-10-02T16:45:00.000Z stopped']);
  });
});

describe('field values as YAML writes them', () => {
  it('takes bare numbers as their digits', () => {
    expect(daysOf({ monthdays: 15 }, 2026, 3)).toEqual([15]);
    expect(daysOf({ weekdays: [0, 'fri'] }, 2026, 3)).toEqual([2, 6, 9, 13, 16, 20, 23, 27, 30]);
  });
});
