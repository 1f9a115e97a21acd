import { describe, expect, it } from 'vitest';
import { parseExceptDates } from '../../src/schedule/except-dates.ts';
import { ScheduleError } from '../../src/schedule/schedule-spec.ts';
import { DAY_MS, civilDay } from '../../src/schedule/zoned-time.ts';

const wall = (year: number, month: number, day: number, hour = 0) => civilDay(year, month, day) * DAY_MS + hour * 3_600_000;

describe('parseExceptDates', () => {
  const except = parseExceptDates(['2026-12-31', '2026-12-24..2026-12-26', ' 2027-01-06 ']);

  it('excepts whole local days, ranges inclusive', () => {
    expect(except.covering(wall(2026, 12, 23, 23))).toBeUndefined();
    expect(except.covering(wall(2026, 12, 24, 0))?.text).toBe('2026-12-24..2026-12-26');
    expect(except.covering(wall(2026, 12, 26, 23))?.text).toBe('2026-12-24..2026-12-26');
    expect(except.covering(wall(2026, 12, 27, 0))).toBeUndefined();
    expect(except.covering(wall(2026, 12, 31, 12))?.text).toBe('2026-12-31');
    expect(except.covering(wall(2027, 1, 6, 12))?.text).toBe('2027-01-06');
  });

  it('finds the next boundary of an excepted stretch', () => {
    expect(except.boundaryAfter(wall(2026, 12, 1))).toBe(wall(2026, 12, 24));
    expect(except.boundaryAfter(wall(2026, 12, 24))).toBe(wall(2026, 12, 27));
    expect(except.boundaryAfter(wall(2026, 12, 27))).toBe(wall(2026, 12, 31));
    expect(except.boundaryAfter(wall(2026, 12, 31, 5))).toBe(wall(2027, 1, 1));
    expect(except.boundaryAfter(wall(2027, 1, 7))).toBe(Infinity);
  });

  it.each([
    ['2026-02-30', '2026-02-30 is not a real date'],
    ['2026-13-01', '2026-13-01 is not a real date'],
    ['2027-02-29', '2027-02-29 is not a real date'],
    ['26-12-25', 'expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, not "26-12-25"'],
    ['2026-12-26..2026-12-24', 'the range ends (2026-12-24) before it starts (2026-12-26)'],
    ['2026-12-24..', 'expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD'],
    ['2026-12-24..2026-12-25..2026-12-26', 'expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD'],
  ])('rejects %j: %s, naming its path', (entry, expected) => {
    let error: unknown;
    try {
      parseExceptDates(['2026-01-01', entry]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScheduleError);
    expect((error as ScheduleError).message).toBe(`invalid except date "${entry}": ${expected}`);
    expect((error as ScheduleError).path).toEqual(['except', 1]);
  });

  it('accepts a leap day', () => {
    expect(parseExceptDates(['2028-02-29']).ranges).toHaveLength(1);
  });
});
