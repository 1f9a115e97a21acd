import { ScheduleError } from './schedule-spec.ts';
import { DAY_MS, civilDay, daysInMonth, type WallTime } from './zoned-time.ts';

/**
 * The `except:` days of a schedule: `2026-12-25`, or an inclusive range `2026-12-24..2026-12-26`.
 * An excepted local day is stopped from 00:00 to 24:00, including the part of a window that runs
 * into it from the day before. `include:` days are written the same way (day-overrides.ts).
 */
export interface ExceptRange {
  /** the entry as written, used in reasons: `except 2026-12-25` */
  readonly text: string;
  /** first and last excepted local day, as days since 1970-01-01 */
  readonly first: number;
  readonly last: number;
}

/** The list a date entry belongs to, for messages: `invalid include date "..."`. */
export type DateListName = 'except' | 'include' | 'skip-days';

export interface ExceptDates {
  readonly ranges: readonly ExceptRange[];
  /** the range that excepts the local day of a wall time, if any */
  covering(wall: WallTime): ExceptRange | undefined;
  /** the first wall time after `wall` where an excepted stretch begins or ends, or Infinity */
  boundaryAfter(wall: WallTime): WallTime;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseExceptDates(
  entries: readonly string[],
  path: (string | number)[] = ['except'],
  kind: DateListName = 'except',
): ExceptDates {
  const ranges = entries
    .map((entry, index) => parseDateRange(entry, [...path, index], kind))
    .sort((a, b) => a.first - b.first);
  return {
    ranges,
    covering(wall) {
      const day = Math.floor(wall / DAY_MS);
      for (const range of ranges) {
        if (range.first > day) break;
        if (day <= range.last) return range;
      }
      return undefined;
    },
    boundaryAfter(wall) {
      let next = Infinity;
      for (const range of ranges) {
        const start = range.first * DAY_MS;
        const end = (range.last + 1) * DAY_MS;
        if (start > wall) return Math.min(next, start);
        if (end > wall) next = Math.min(next, end);
      }
      return next;
    },
  };
}

/** One entry: a day or an inclusive range of days; a ScheduleError at `path` says what is wrong with it. */
export function parseDateRange(entry: string, path: (string | number)[], kind: DateListName = 'except'): ExceptRange {
  const text = entry.trim();
  const [from, to = from, extra] = text.split('..').map((part) => part.trim());
  const fail: (why: string) => never = (why) => {
    throw new ScheduleError(`invalid ${kind} date "${entry}": ${why}`, path);
  };
  if (extra !== undefined || !from || !to) fail('expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD');
  const first = parseDay(from, fail);
  const last = parseDay(to, fail);
  if (last < first) fail(`the range ends (${to}) before it starts (${from})`);
  return { text, first, last };
}

function parseDay(text: string, fail: (why: string) => never): number {
  const match = DATE.exec(text) ?? fail(`expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, not "${text}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) fail(`${text} is not a real date`);
  return civilDay(year, month, day);
}
