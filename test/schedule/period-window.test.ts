import { describe, expect, it } from 'vitest';
import { parsePeriodWindow, startsOn } from '../../src/schedule/period-window.ts';
import { ScheduleError } from '../../src/schedule/schedule-spec.ts';
import { civilDate, civilDay } from '../../src/schedule/zoned-time.ts';

/** The days of March 2026 (1 March is a Sunday) a window starts on. */
function startDays(entry: string, year = 2026, month = 3): number[] {
  const window = parsePeriodWindow(entry);
  const days: number[] = [];
  for (let day = 1; day <= civilDate(civilDay(year, month, 1)).daysInMonth; day++) {
    if (startsOn(window, civilDate(civilDay(year, month, day)))) days.push(day);
  }
  return days;
}

function errorOf(entry: string): ScheduleError {
  try {
    parsePeriodWindow(entry, ['running', 3]);
  } catch (error) {
    if (error instanceof ScheduleError) return error;
    throw error;
  }
  throw new Error(`"${entry}" parsed`);
}

describe('parsePeriodWindow: times', () => {
  it('reads a window on the day it starts', () => {
    expect(parsePeriodWindow('Mon-Fri 08:00-19:00')).toMatchObject({ text: 'Mon-Fri 08:00-19:00', start: 480, end: 1140 });
  });

  it('ends a window that crosses midnight on the next day', () => {
    expect(parsePeriodWindow('Mon-Fri 22:00-06:00')).toMatchObject({ start: 1320, end: 1440 + 360 });
  });

  it('takes 24:00 as the next midnight', () => {
    expect(parsePeriodWindow('Sat 18:00-24:00')).toMatchObject({ start: 1080, end: 1440 });
    expect(parsePeriodWindow('00:00-24:00')).toMatchObject({ start: 0, end: 1440 });
  });

  it('spans days: Fri 18:00-Mon 07:00 ends three days after it starts', () => {
    const window = parsePeriodWindow('Fri 18:00-Mon 07:00');
    expect(window).toMatchObject({ start: 1080, end: 3 * 1440 + 420 });
    expect(startDays('Fri 18:00-Mon 07:00')).toEqual([6, 13, 20, 27]);
    expect(parsePeriodWindow('Mon 08:00-Mon 18:00')).toMatchObject({ start: 480, end: 1080 });
    expect(parsePeriodWindow('Sun 20:00-Sat 24:00')).toMatchObject({ end: 7 * 1440 });
  });

  it('keeps the entry as written, whitespace collapsed, for reasons; tolerates spaces around - and ,', () => {
    const window = parsePeriodWindow('  mon - FRI   08:00 - 19:00 ');
    expect(window.text).toBe('mon - FRI 08:00 - 19:00');
    expect(window).toMatchObject({ start: 480, end: 1140 });
    expect(startDays('Mon, Wed 08:00-09:00')).toEqual(startDays('Mon,Wed 08:00-09:00'));
  });
});

describe('parsePeriodWindow: days', () => {
  it('reads ranges, single days, lists, full names, any case', () => {
    expect(startDays('Mon-Fri 08:00-19:00')).toEqual([2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30, 31]);
    expect(startDays('Sat 10:00-14:00')).toEqual([7, 14, 21, 28]);
    expect(startDays('Mon,Wed,Fri 09:00-12:00')).toEqual([2, 4, 6, 9, 11, 13, 16, 18, 20, 23, 25, 27, 30]);
    expect(startDays('monday,WEDNESDAY,Friday 09:00-12:00')).toEqual(startDays('Mon,Wed,Fri 09:00-12:00'));
    expect(startDays('Mon-Tue,Sun 09:00-12:00')).toEqual([1, 2, 3, 8, 9, 10, 15, 16, 17, 22, 23, 24, 29, 30, 31]);
  });

  it('wraps a range over the weekend: Fri-Mon is Fri, Sat, Sun, Mon', () => {
    expect(startDays('Fri-Mon 08:00-12:00')).toEqual([1, 2, 6, 7, 8, 9, 13, 14, 15, 16, 20, 21, 22, 23, 27, 28, 29, 30]);
  });

  it('reads daily, and no day part, as every day', () => {
    expect(startDays('daily 08:00-18:00')).toHaveLength(31);
    expect(startDays('08:00-18:00')).toHaveLength(31);
  });

  it('reads nth weekdays and the last weekday of the month', () => {
    expect(startDays('Mon#1 09:00-17:00')).toEqual([2]);
    expect(startDays('Mon#5 09:00-17:00')).toEqual([30]);
    expect(startDays('Mon#5 09:00-17:00', 2026, 2)).toEqual([]);
    expect(startDays('Fri#L 09:00-12:00')).toEqual([27]);
    expect(startDays('Tue#L 09:00-12:00')).toEqual([31]);
    expect(startDays('Mon#1,Wed#3,Fri#L 09:00-12:00')).toEqual([2, 18, 27]);
    expect(startDays('Fri#L 18:00-Mon 07:00')).toEqual([27]);
  });
});

describe('parsePeriodWindow: qualifiers', () => {
  it('limits start days to months, wrapping over the new year', () => {
    expect(startDays('daily 08:00-09:00 months Jan-Mar')).toHaveLength(31);
    expect(startDays('daily 08:00-09:00 months Apr,Oct')).toEqual([]);
    expect(startDays('daily 08:00-09:00 months Nov-Feb', 2026, 2)).toHaveLength(28);
    expect(startDays('daily 08:00-09:00 months november-february', 2026, 3)).toEqual([]);
  });

  it('limits start days to days of the month, L being the last', () => {
    expect(startDays('daily 08:00-09:00 days 1-15')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(startDays('daily 08:00-09:00 days 1,15,L')).toEqual([1, 15, 31]);
    expect(startDays('daily 08:00-09:00 days L', 2028, 2)).toEqual([29]);
    expect(startDays('daily 08:00-09:00 days 27-L', 2026, 2)).toEqual([27, 28]);
  });

  it('combines qualifiers with the days: all must hold', () => {
    expect(startDays('Mon-Fri 08:00-19:00 days 1-10 months Mar')).toEqual([2, 3, 4, 5, 6, 9, 10]);
    expect(startDays('Mon-Fri 08:00-19:00 months Mar days 1-10')).toEqual([2, 3, 4, 5, 6, 9, 10]);
    expect(startDays('Mon-Fri 08:00-19:00 months Apr days 1-10')).toEqual([]);
  });
});

describe('parsePeriodWindow: errors name the entry, the path and what was expected', () => {
  it.each([
    ['Mon-Fri 8-19', 'expected HH:MM-HH:MM after the days'],
    ['Mon-Fri', 'expected HH:MM-HH:MM after the days'],
    ['', 'expected e.g. "Mon-Fri 08:00-19:00"'],
    ['8-19', 'expected HH:MM-HH:MM (or days first'],
    ['Mon-Fry 08:00-19:00', 'unknown day "Fry" (expected Mon..Sun, 3 letters or full, or "daily")'],
    ['Weekdays 08:00-19:00', 'unknown day "Weekdays"'],
    ['Mon-Fri 25:00-26:00', '"25:00" is not a time of day (00:00 to 24:00)'],
    ['Mon-Fri 08:60-19:00', '"08:60" is not a time of day'],
    ['Mon-Fri 24:00-06:00', '24:00 can only end a window'],
    ['Mon 08:00-08:00', 'it starts and ends at the same time'],
    ['Mon#6 08:00-09:00', '"Mon#6" is not an nth weekday'],
    ['Mon-Fri 18:00-Mon 07:00', 'a window that ends on another day starts on one day, not "Mon-Fri"'],
    ['Fri 18:00-Mun 07:00', 'unknown day "Mun"'],
    ['Fri 18:00-Mon', 'expected HH:MM after "Mon"'],
    ['Mon 18:00-Mon 07:00', 'it ends before it starts'],
    ['Mon 08:00-09:00 weeks 1', 'unexpected "weeks" (expected "months ..." or "days ..." after the times)'],
    ['Mon 08:00-09:00 months', 'expected a list after "months"'],
    ['Mon 08:00-09:00 months Jam', 'unknown month "Jam"'],
    ['Mon 08:00-09:00 days 0-3', '"0" is not a day of the month (expected 1-31 or L)'],
    ['Mon 08:00-09:00 days 15-1', 'day range "15-1" runs backwards'],
    ['Mon 08:00-09:00 days 1 days 2', '"days" is given twice'],
  ])('%j: %s', (entry, expected) => {
    const error = errorOf(entry);
    expect(error.message).toContain(`invalid window "${entry}": ${expected}`);
    expect(error.path).toEqual(['running', 3]);
  });
});
