import type { ScheduleState } from './compiled-schedule.ts';
import { ScheduleError, type InstancePeriodSpec } from './schedule-spec.ts';
import type { WallModel } from './wall-schedule.ts';
import { DAY_MS, MINUTE_MS, civilDate, civilDay, type CivilDate, type WallTime } from './zoned-time.ts';

/**
 * AWS Instance Scheduler periods (instance-scheduler-on-aws v3: configuration/running_period.py,
 * instance_schedule.py, cron/parser.py, cron/cron_to_running_period.py), evaluated as it evaluates them.
 *
 * A period: `begintime`/`endtime` (H:MM or HH:MM, 00:00-23:59, begin not after end, so no overnight
 * periods), and `weekdays`, `monthdays`, `months`, which must all hold for the local date (AND, not
 * cron's OR). On a day the recurrence rejects: stopped. Otherwise: no times: running; both: running in
 * [begin, end); only begintime: running from it, `any` before; only endtime: stopped from it, `any`
 * before. The schedule: running if any period is, else `any` if any period is, else stopped; and when
 * stopped with two or more periods, running anyway if one minute earlier and one minute later are both
 * running (the adjacency rule that joins 09:00-12:00 and 12:01-17:00, or 23:59 to 00:00).
 *
 * Recurrence fields are a string or a list of strings, comma lists inside (a union), lower-cased:
 *   weekdays   0-6 (0 = Monday) or names (mon, monday); ranges wrap (sat-mon, 6-0); a/n and a-b/n
 *              steps; L = Sunday; <day>L the last such day of the month; <day>#n the n-th (1-5)
 *   monthdays  1-31; ranges do not wrap; a-L; steps; L the last day; nW the weekday (Mon-Fri) nearest
 *              day n within the month
 *   months     1-12 or names (jan, january); ranges wrap (oct-jun); steps
 *   * or ?     every value
 * Where offhours differs on purpose: Instance Scheduler's step parser reads only the last digit of a
 * step (`1/15` steps by 5, `1/10` loops forever); offhours reads the whole number. `nW` for a day the
 * month does not have (31W in April) is an error in Instance Scheduler at run time; here it never matches.
 */
export function instanceSchedulerModel(specs: readonly InstancePeriodSpec[]): WallModel<InstanceState> {
  const periods = specs.map((spec, index) => parsePeriod(spec, ['periods', index]));
  const adjacency = periods.length > 1;

  const base = (wall: WallTime): InstanceState => {
    const day = Math.floor(wall / DAY_MS);
    const date = civilDate(day);
    const time = wall - day * DAY_MS;
    let running: Period | undefined;
    let any: Period | undefined;
    for (const period of periods) {
      const state = period.stateAt(date, time);
      // the most recently begun running period speaks for the schedule, as in Instance Scheduler
      if (state === 'running' && (!running || (period.begin ?? -1) > (running.begin ?? -1))) running = period;
      else if (state === 'any') any ??= period;
    }
    if (running) return { state: 'running', period: running, adjacent: false };
    if (any) return { state: 'any', period: any, adjacent: false };
    return { state: 'stopped', period: undefined, adjacent: false };
  };

  const stateAt = (wall: WallTime): InstanceState => {
    const state = base(wall);
    if (state.state !== 'stopped' || !adjacency) return state;
    const before = base(wall - MINUTE_MS);
    const after = base(wall + MINUTE_MS);
    return before.state === 'running' && after.state === 'running' ? { state: 'running', period: after.period, adjacent: true } : state;
  };

  function* edges(from: WallTime, to: WallTime): Generator<{ wall: WallTime; state: InstanceState }> {
    // The base state changes only at midnight and at begin/end times; the adjacency rule one minute either side.
    const offsets = [0, ...periods.flatMap((period) => [period.begin, period.end].filter((minute) => minute !== undefined).map((minute) => minute * MINUTE_MS))];
    const shifts = adjacency ? [-MINUTE_MS, 0, MINUTE_MS] : [0];
    for (let low = from; low < to; ) {
      const high = Math.min(to, low + 7 * DAY_MS);
      const walls = new Set<number>();
      for (let day = Math.floor(low / DAY_MS), last = Math.floor(high / DAY_MS) + 1; day <= last; day++) {
        for (const offset of offsets) {
          for (const shift of shifts) {
            const wall = day * DAY_MS + offset + shift;
            if (wall > low && wall <= high) walls.add(wall);
          }
        }
      }
      for (const wall of [...walls].sort((a, b) => a - b)) yield { wall, state: stateAt(wall) };
      low = high;
    }
  }

  const describe = (state: InstanceState): string => {
    if (state.state === 'running') return `within period ${state.period!.label}${state.adjacent ? ' (adjacent to the period before)' : ''}`;
    if (state.state === 'any') {
      const period = state.period!;
      return `period ${period.label} has only ${period.begin !== undefined ? 'a begin' : 'an end'} time, not reached yet: the state is left alone`;
    }
    return 'outside every period';
  };
  return {
    stateAt,
    edges,
    describe,
    change(before, after) {
      if (after.state === 'running' && !after.adjacent && before.state !== 'running') return `period ${after.period!.label} began`;
      if (after.state === 'stopped' && before.period) return `period ${before.period.label} ${before.state === 'any' ? 'reached its end time' : 'ended'}`;
      return describe(after);
    },
  };
}

export interface InstanceState {
  state: ScheduleState;
  /** the period that decides: the running one that began last, or the first `any` one */
  period: Period | undefined;
  /** running only by the adjacency rule */
  adjacent: boolean;
}

interface Period {
  /** the name, or a summary such as `09:00-17:00 weekdays mon-fri`, for reasons */
  label: string;
  /** minutes after midnight */
  begin: number | undefined;
  end: number | undefined;
  stateAt(date: CivilDate, msOfDay: number): ScheduleState;
}

type Fail = (why: string) => never;

function parsePeriod(spec: InstancePeriodSpec, path: (string | number)[]): Period {
  const summary = [
    spec.begintime && spec.endtime ? `${spec.begintime}-${spec.endtime}` : spec.begintime ? `from ${spec.begintime}` : spec.endtime ? `until ${spec.endtime}` : '',
    ...(['weekdays', 'monthdays', 'months'] as const).map((field) => (spec[field] === undefined ? '' : `${field} ${[spec[field]].flat().join(',')}`)),
  ]
    .filter(Boolean)
    .join(' ');
  const label = spec.name ?? summary;
  const fail = (why: string, field?: string): never => {
    throw new ScheduleError(`invalid period ${spec.name ? `"${spec.name}"` : `"${summary}"`}: ${why}`, field ? [...path, field] : path);
  };
  if (!summary) fail('it needs at least one of begintime, endtime, weekdays, monthdays, months');

  const time = (field: 'begintime' | 'endtime'): number | undefined => {
    const text = spec[field];
    if (text === undefined) return undefined;
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text) ?? fail(`${field} "${text}" is not a time (H:MM or HH:MM, 00:00 to 23:59)`, field);
    return Number(match[1]) * 60 + Number(match[2]);
  };
  const begin = time('begintime');
  const end = time('endtime');
  if (begin !== undefined && end !== undefined && begin > end) {
    fail(`begintime ${spec.begintime} is after endtime ${spec.endtime} (periods do not run past midnight: use two periods)`);
  }
  const field = (name: 'weekdays' | 'monthdays' | 'months', kind: FieldKind) =>
    parseField(spec[name], kind, (why) => fail(`${name} ${JSON.stringify(spec[name])}: ${why}`, name));
  const weekdays = field('weekdays', WEEKDAYS);
  const monthdays = field('monthdays', MONTHDAYS);
  const months = field('months', MONTHS);

  return {
    label,
    begin,
    end,
    stateAt(date, msOfDay) {
      if (!weekdays(date) || !months(date) || !monthdays(date)) return 'stopped';
      const minute = msOfDay / MINUTE_MS;
      if (begin === undefined && end === undefined) return 'running';
      if (begin === undefined) return minute >= end! ? 'stopped' : 'any';
      if (end === undefined) return minute >= begin ? 'running' : 'any';
      return begin <= minute && minute < end ? 'running' : 'stopped';
    },
  };
}

/** One field's grammar: its names, its domain, and what it accepts beyond values, ranges and steps. */
interface FieldKind {
  name: 'weekdays' | 'monthdays' | 'months';
  names: Record<string, number>;
  min: number;
  /** the domain end (for monthdays, that of the longest month; the real end is the date's month) */
  max: number;
  /** where in a date the field looks, and the domain end for that date */
  valueOf(date: CivilDate): number;
  endOf(date: CivilDate): number;
}

const names = (list: readonly string[], first: number): Record<string, number> =>
  Object.fromEntries(list.flatMap((name, index) => [[name, index + first], [name.slice(0, 3), index + first]]));

const WEEKDAYS: FieldKind = {
  name: 'weekdays',
  names: names(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'], 0),
  min: 0,
  max: 6,
  valueOf: (date) => date.weekday,
  endOf: () => 6,
};
const MONTHDAYS: FieldKind = { name: 'monthdays', names: {}, min: 1, max: 31, valueOf: (date) => date.day, endOf: (date) => date.daysInMonth };
const MONTHS: FieldKind = {
  name: 'months',
  names: names(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'], 1),
  min: 1,
  max: 12,
  valueOf: (date) => date.month,
  endOf: () => 12,
};

/** A value that may be `L`, the domain end. */
type Bound = number | 'L';

/** A field as a predicate on dates; a missing field holds for every date. */
function parseField(spec: string | number | (string | number)[] | undefined, kind: FieldKind, fail: Fail): (date: CivilDate) => boolean {
  if (spec === undefined) return () => true;
  const items = [spec].flat().flatMap((text) => String(text).split(','));
  if (items.length === 0) fail('an empty list matches nothing (leave the field out for every value)');
  const tests = items.map((item) => parseItem(item.trim().toLowerCase(), kind, fail));
  return (date) => tests.some((test) => test(date));
}

function parseItem(item: string, kind: FieldKind, fail: Fail): (date: CivilDate) => boolean {
  const value = (text: string): Bound | undefined => {
    const trimmed = text.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    if (Object.hasOwn(kind.names, trimmed)) return kind.names[trimmed];
    return trimmed === 'l' ? 'L' : undefined;
  };
  const checked = (bound: Bound, allowLast: boolean): Bound => {
    if (bound === 'L') return allowLast ? bound : fail(`"L" is not allowed in "${item}"`);
    return bound >= kind.min && bound <= kind.max ? bound : fail(`${bound} is outside ${kind.min}-${kind.max} in "${item}"`);
  };
  const lastAllowed = kind.name !== 'months';

  if (item === '*' || item === '?') return () => true;
  const single = value(item);
  if (single !== undefined) {
    const bound = checked(single, lastAllowed);
    return (date) => kind.valueOf(date) === (bound === 'L' ? kind.endOf(date) : bound);
  }

  let range: { start: number; end: Bound | undefined; step: number } | undefined;
  const step = /^(.+)\/(\d+)$/.exec(item);
  const rangeText = step ? step[1]! : item;
  const bounds = /^(.+)-(.+)$/.exec(rangeText);
  if (bounds) {
    const start = value(bounds[1]!);
    const end = value(bounds[2]!);
    if (start !== undefined && end !== undefined) {
      if (start === 'L') fail(`a range cannot start with L ("${item}")`);
      range = { start: checked(start, false) as number, end: checked(end, kind.name === 'monthdays'), step: 1 };
      if (kind.name === 'monthdays' && typeof range.end === 'number' && range.start > range.end) fail(`monthday ranges do not wrap ("${item}")`);
    }
  } else if (step) {
    const start = value(rangeText);
    if (start !== undefined) range = { start: checked(start === 'L' ? fail(`a step cannot start with L ("${item}")`) : start, false) as number, end: undefined, step: 1 };
  }
  if (step && range) {
    range.step = Number(step[2]);
    if (range.step < 1) fail(`the step of "${item}" must be at least 1`);
  }
  if (range) {
    const { start, end, step: interval } = range;
    return (date) => discreteValues(start, end === 'L' || end === undefined ? kind.endOf(date) : end, interval, kind.min, kind.endOf(date)).has(kind.valueOf(date));
  }

  if (kind.name === 'weekdays') {
    const nth = /^(.*)#(\d+)$/.exec(item);
    if (nth) {
      const day = value(nth[1]!);
      const n = Number(nth[2]);
      if (day === undefined || day === 'L') fail(`"${nth[1]}" is not a weekday in "${item}"`);
      checked(day!, false);
      if (n < 1 || n > 5) fail(`the n of "${item}" must be 1-5`);
      // the n-th such weekday is the one whose day of the month is in week n
      return (date) => date.weekday === day && Math.ceil(date.day / 7) === n;
    }
    const last = /^(.*)l$/.exec(item);
    if (last) {
      const day = value(last[1]!);
      if (day === undefined || day === 'L') fail(`"${last[1]}" is not a weekday in "${item}"`);
      checked(day!, false);
      return (date) => date.weekday === day && date.day + 7 > date.daysInMonth;
    }
  }
  if (kind.name === 'monthdays') {
    const nearest = /^(\d+)w$/.exec(item);
    if (nearest) {
      const day = checked(Number(nearest[1]), false) as number;
      return (date) => nearestWeekday(day, date) === date.day;
    }
  }
  return fail(`"${item}" is not a value, name, range, step, * or ?${kind.name === 'weekdays' ? ', L, <day>L or <day>#n' : kind.name === 'monthdays' ? ', L or nW' : ''}`);
}

/** Instance Scheduler's range expansion: from start by step to end, wrapping once past the domain end when start > end. */
function discreteValues(start: number, end: number, step: number, min: number, max: number): Set<number> {
  const values = new Set<number>();
  if (start > max) return values;
  let wrap = start > end;
  for (let pointer = start; wrap || pointer <= end; ) {
    if (pointer >= min && pointer <= max) values.add(pointer);
    pointer += step;
    if (wrap && pointer > max) {
      pointer -= max - min + 1;
      wrap = false;
    }
  }
  return values;
}

/** The Monday-Friday day nearest `day` within the date's month; undefined when the month has no such day. */
function nearestWeekday(day: number, date: CivilDate): number | undefined {
  if (day > date.daysInMonth) return undefined;
  const weekday = civilDate(civilDay(date.year, date.month, day)).weekday;
  if (weekday === 5) return day === 1 ? day + 2 : day - 1;
  if (weekday === 6) return day === date.daysInMonth ? day - 2 : day + 1;
  return day;
}
