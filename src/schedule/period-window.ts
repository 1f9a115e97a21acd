import { ScheduleError } from './schedule-spec.ts';
import type { CivilDate } from './zoned-time.ts';

/**
 * One `running` entry of a periods schedule: when a window starts (which local days, at what time)
 * and how long it lasts. Day and month names are case-insensitive, 3 letters or full.
 *
 *   Mon-Fri 08:00-19:00          weekdays, 08:00 until 19:00
 *   Sat 10:00-14:00              one day
 *   Mon,Wed,Fri 09:00-12:00      a list (items may be ranges: Mon-Tue,Thu)
 *   Fri-Mon 08:00-12:00          a range that wraps over the weekend: Fri, Sat, Sun, Mon
 *   Mon-Fri 22:00-06:00          crosses midnight: starts on the listed day, ends the next day
 *   Mon-Fri 18:00-24:00          24:00 ends a window at the next midnight
 *   Fri 18:00-Mon 07:00          a span over days: starts on one day, ends on the next Monday
 *   Mon#1 09:00-17:00            the first Monday of the month (#1 to #5)
 *   Fri#L 09:00-12:00            the last Friday of the month
 *   daily 08:00-18:00            every day; same as `08:00-18:00`
 *
 * Trailing qualifiers narrow the start day further, in any order:
 *
 *   Mon-Fri 08:00-19:00 months Jan-Mar,Oct   only in these months (ranges wrap: months Nov-Feb)
 *   daily 09:00-17:00 days 1-15              only on these days of the month
 *   daily 09:00-17:00 days 1,15,L            L is the last day of the month (also 25-L)
 *   Mon-Fri 08:00-19:00 months Dec days 1-23 both must hold
 *
 * Every condition applies to the day the window *starts* on: `Fri 22:00-06:00 months Jan` that
 * starts on Friday 31 January still runs until 06:00 on 1 February.
 */
export interface PeriodWindow {
  /** the entry as written (whitespace collapsed), used in reasons: `Mon-Fri 08:00-19:00 began` */
  readonly text: string;
  /** minutes after 00:00 of the start day */
  readonly start: number;
  /** minutes after 00:00 of the start day; beyond 1440 when the window ends on a later day */
  readonly end: number;
  /** per weekday (0 = Monday), the occurrences in the month that start a window: bits 0-4 = 1st-5th, bit 5 = last */
  readonly weekdays: readonly number[];
  /** bit m-1 for each month m that may start a window */
  readonly months: number;
  /** bit d-1 for each day of the month d that may start a window */
  readonly monthDays: number;
  /** whether the last day of the month may start a window (`days L`) */
  readonly lastMonthDay: boolean;
}

const EVERY_OCCURRENCE = 0b11111;
const LAST_OCCURRENCE = 0b100000;
const ALL_MONTHS = 0xfff;
const ALL_MONTH_DAYS = 0x7fffffff;

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MONTH_NAMES = [
  'january', 'february', 'march', 'april', 'may', 'june',
  'july', 'august', 'september', 'october', 'november', 'december',
];
const TIME = /^(\d{1,2}):(\d{2})$/;

/** Whether a window starts on a local calendar day. */
export function startsOn(window: PeriodWindow, date: CivilDate): boolean {
  const occurrence = (1 << Math.floor((date.day - 1) / 7)) | (date.day + 7 > date.daysInMonth ? LAST_OCCURRENCE : 0);
  return (
    (window.weekdays[date.weekday]! & occurrence) !== 0 &&
    ((window.months >> (date.month - 1)) & 1) === 1 &&
    (((window.monthDays >> (date.day - 1)) & 1) === 1 || (window.lastMonthDay && date.day === date.daysInMonth))
  );
}

/** Parses one `running` entry; a ScheduleError at `path` names the entry and what was expected. */
export function parsePeriodWindow(entry: string, path: (string | number)[] = []): PeriodWindow {
  const text = entry.trim().replace(/\s+/g, ' ');
  const fail: Fail = (why) => {
    throw new ScheduleError(`invalid window "${entry}": ${why}`, path);
  };
  // Spaces around "-" and "," are allowed; dropping them leaves one token per part.
  const tokens = text.replace(/\s*([-,])\s*/g, '$1').split(' ').filter(Boolean);
  if (tokens.length === 0) fail('expected e.g. "Mon-Fri 08:00-19:00"');

  let next = 0;
  const hasDays = !/^\d/.test(tokens[0]!);
  const dayToken = hasDays ? tokens[next++]! : 'daily';
  const weekdays = parseDays(dayToken, fail);
  const afterDays = hasDays ? 'after the days' : '(or days first, e.g. "Mon-Fri 08:00-19:00")';

  let start: number;
  let end: number;
  const span = /^(\d{1,2}:\d{2})-([a-z]+)$/i.exec(tokens[next] ?? '');
  if (span && hasDays) {
    // `Fri 18:00-Mon 07:00`: a window that ends on a later weekday.
    const startDay = singleDay(weekdays) ?? fail(`a window that ends on another day starts on one day, not "${dayToken}"`);
    const endDay = dayIndex(span[2]!) ?? fail(`unknown day "${span[2]}" (expected Mon..Sun, 3 letters or full)`);
    const endTime = tokens[next + 1];
    if (endTime === undefined || !TIME.test(endTime)) fail(`expected HH:MM after "${span[2]}"`);
    start = parseTime(span[1]!, 'start', fail);
    end = ((endDay - startDay + 7) % 7) * 1440 + parseTime(endTime, 'end', fail);
    if (end <= start) fail('it ends before it starts; a span lasts less than a week');
    next += 2;
  } else {
    const times = /^(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$/.exec(tokens[next] ?? '');
    if (!times) fail(`expected HH:MM-HH:MM ${afterDays}`);
    start = parseTime(times[1]!, 'start', fail);
    end = parseTime(times[2]!, 'end', fail);
    if (end === start) fail('it starts and ends at the same time');
    if (end < start) end += 1440;
    next += 1;
  }

  let months = ALL_MONTHS;
  let monthDays = ALL_MONTH_DAYS;
  let lastMonthDay = false;
  const seen = new Set<string>();
  while (next < tokens.length) {
    const keyword = tokens[next]!.toLowerCase();
    if (keyword !== 'months' && keyword !== 'days') fail(`unexpected "${tokens[next]}" (expected "months ..." or "days ..." after the times)`);
    if (seen.has(keyword)) fail(`"${keyword}" is given twice`);
    seen.add(keyword);
    const list = tokens[next + 1];
    if (list === undefined) fail(`expected a list after "${keyword}", e.g. ${keyword === 'months' ? '"months Jan-Mar"' : '"days 1-15"'}`);
    if (keyword === 'months') months = parseMonths(list, fail);
    else ({ monthDays, lastMonthDay } = parseMonthDays(list, fail));
    next += 2;
  }
  return { text, start, end, weekdays, months, monthDays, lastMonthDay };
}

type Fail = (why: string) => never;

function parseDays(token: string, fail: Fail): number[] {
  if (token.toLowerCase() === 'daily') return Array<number>(7).fill(EVERY_OCCURRENCE);
  const weekdays = Array<number>(7).fill(0);
  for (const item of token.split(',')) {
    const nth = /^([a-z]+)#([1-5l])$/i.exec(item);
    if (nth) {
      const day = dayIndex(nth[1]!) ?? fail(unknownDay(nth[1]!));
      weekdays[day] = weekdays[day]! | (nth[2]!.toLowerCase() === 'l' ? LAST_OCCURRENCE : 1 << (Number(nth[2]) - 1));
      continue;
    }
    if (item.includes('#')) fail(`"${item}" is not an nth weekday (expected e.g. Mon#1 to Mon#5, or Fri#L for the last)`);
    const [from, to] = splitRange(item) ?? fail(`"${item}" is not a day or day range (expected e.g. Mon, Mon-Fri)`);
    const first = dayIndex(from) ?? fail(unknownDay(from));
    const last = dayIndex(to) ?? fail(unknownDay(to));
    for (let day = first; ; day = (day + 1) % 7) {
      weekdays[day] = EVERY_OCCURRENCE;
      if (day === last) break;
    }
  }
  return weekdays;
}

function unknownDay(name: string): string {
  return /^\d/.test(name)
    ? `expected days before the times, e.g. "Mon-Fri 08:00-19:00", not "${name}"`
    : `unknown day "${name}" (expected Mon..Sun, 3 letters or full, or "daily")`;
}

function dayIndex(name: string): number | undefined {
  const lower = name.toLowerCase();
  const index = DAY_NAMES.findIndex((full) => lower === full || lower === full.slice(0, 3));
  return index < 0 ? undefined : index;
}

/** The one weekday of a plain or nth selector (`Fri`, `Fri#L`), or undefined for lists and ranges. */
function singleDay(weekdays: readonly number[]): number | undefined {
  const used = weekdays.flatMap((mask, day) => (mask ? [day] : []));
  return used.length === 1 ? used[0] : undefined;
}

/** `a` or `a-b` as [a, b]; undefined for anything else. */
function splitRange(item: string): [string, string] | undefined {
  const [from, to = from, extra] = item.split('-');
  return extra === undefined && from && to ? [from, to] : undefined;
}

function parseTime(text: string, which: 'start' | 'end', fail: Fail): number {
  const [, hours, minutes] = TIME.exec(text) ?? fail(`expected HH:MM, not "${text}"`);
  const value = Number(hours) * 60 + Number(minutes);
  if (Number(minutes) > 59 || value > 1440) fail(`"${text}" is not a time of day (00:00 to 24:00)`);
  if (value === 1440 && which === 'start') fail('24:00 can only end a window');
  return value;
}

function parseMonths(list: string, fail: Fail): number {
  let mask = 0;
  const month = (name: string): number => {
    const lower = name.toLowerCase();
    const index = MONTH_NAMES.findIndex((full) => lower === full || lower === full.slice(0, 3));
    return index >= 0 ? index : fail(`unknown month "${name}" (expected Jan..Dec, 3 letters or full)`);
  };
  for (const item of list.split(',')) {
    const [from, to] = splitRange(item) ?? fail(`"${item}" is not a month or month range (expected e.g. Jan, Jan-Mar)`);
    const last = month(to);
    for (let m = month(from); ; m = (m + 1) % 12) {
      mask |= 1 << m;
      if (m === last) break;
    }
  }
  return mask;
}

function parseMonthDays(list: string, fail: Fail): { monthDays: number; lastMonthDay: boolean } {
  let monthDays = 0;
  let lastMonthDay = false;
  const day = (text: string): number => {
    const value = /^\d{1,2}$/.test(text) ? Number(text) : NaN;
    return value >= 1 && value <= 31 ? value : fail(`"${text}" is not a day of the month (expected 1-31 or L)`);
  };
  for (const item of list.split(',')) {
    const [from, to, extra] = item.toLowerCase().split('-');
    if (extra !== undefined || !from) fail(`"${item}" is not a day of the month or range (expected e.g. 1-15, 1,15,L or 25-L)`);
    if (from === 'l' && to === undefined) {
      lastMonthDay = true;
      continue;
    }
    const first = day(from);
    const last = to === 'l' ? 31 : to === undefined ? first : day(to);
    if (to === 'l') lastMonthDay = true;
    if (last < first) fail(`day range "${item}" runs backwards`);
    for (let d = first; d <= last; d++) monthDays |= 1 << (d - 1);
  }
  return { monthDays, lastMonthDay };
}

/** A window that starts on whole weekdays (0 = Monday), in every month: what a kube-downscaler part is. */
export function weeklyWindow(text: string, days: readonly number[], start: number, end: number): PeriodWindow {
  const weekdays = Array<number>(7).fill(0);
  for (const day of days) weekdays[day] = EVERY_OCCURRENCE;
  return { text, start, end, weekdays, months: ALL_MONTHS, monthDays: ALL_MONTH_DAYS, lastMonthDay: false };
}
