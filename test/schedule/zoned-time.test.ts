import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  civilDate,
  civilDay,
  instantOfLocal,
  isValidTimezone,
  localFields,
  zonedTime,
} from '../../src/schedule/zoned-time.ts';

const iso = (date: Date) => date.toISOString();

describe('isValidTimezone', () => {
  it('accepts IANA zones and UTC, rejects typos', () => {
    expect(isValidTimezone('Europe/Berlin')).toBe(true);
    expect(isValidTimezone('America/New_York')).toBe(true);
    expect(isValidTimezone('UTC')).toBe(true);
    expect(isValidTimezone('Europe/Berln')).toBe(false);
    expect(isValidTimezone('')).toBe(false);
  });
});

describe('civil dates', () => {
  it('round-trips day numbers and agrees with Date on the calendar and the weekday', () => {
    for (let day = -800_000; day <= 800_000; day += 997) {
      const date = civilDate(day);
      expect(civilDay(date.year, date.month, date.day)).toBe(day);
      if (date.year >= 100) {
        const reference = new Date(day * DAY_MS);
        expect([date.year, date.month, date.day]).toEqual([reference.getUTCFullYear(), reference.getUTCMonth() + 1, reference.getUTCDate()]);
        expect(date.weekday).toBe((reference.getUTCDay() + 6) % 7);
      }
    }
    expect(civilDate(civilDay(2028, 2, 10)).daysInMonth).toBe(29);
    expect(civilDate(civilDay(2100, 2, 10)).daysInMonth).toBe(28);
  });
});

describe('localFields', () => {
  it('reads the wall clock of an instant in a zone', () => {
    expect(localFields(new Date('2026-03-29T01:30:15.250Z'), 'Europe/Berlin')).toEqual({
      year: 2026, month: 3, day: 29, hour: 3, minute: 30, second: 15, millisecond: 250, weekday: 6,
    });
    expect(localFields(new Date('2026-01-01T04:59:00Z'), 'America/New_York')).toMatchObject({ year: 2025, month: 12, day: 31, hour: 23, minute: 59 });
    expect(localFields(new Date('2026-06-30T14:00:00Z'), 'Australia/Sydney')).toMatchObject({ month: 7, day: 1, hour: 0 });
  });
});

describe('instantOfLocal: the DST rule', () => {
  const at = (timezone: string, year: number, month: number, day: number, hour: number, minute = 0) =>
    iso(instantOfLocal({ year, month, day, hour, minute }, timezone));

  it('maps a wall time in a skipped hour to the first valid instant after it', () => {
    expect(at('Europe/Berlin', 2026, 3, 29, 2, 30)).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(at('America/New_York', 2026, 3, 8, 2, 30)).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
    expect(at('Australia/Sydney', 2026, 10, 4, 2, 30)).toBe('2026-10-03T16:00:00.000Z'); // 03:00 AEDT
  });

  it('maps a wall time in a repeated hour to its first occurrence', () => {
    expect(at('Europe/Berlin', 2026, 10, 25, 2, 30)).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(at('America/New_York', 2026, 11, 1, 1, 30)).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
    expect(at('Australia/Sydney', 2026, 4, 5, 2, 30)).toBe('2026-04-04T15:30:00.000Z'); // 02:30 AEDT
  });

  it('maps ordinary wall times exactly, around the changes too', () => {
    expect(at('Europe/Berlin', 2026, 3, 29, 1, 59)).toBe('2026-03-29T00:59:00.000Z');
    expect(at('Europe/Berlin', 2026, 3, 29, 3, 0)).toBe('2026-03-29T01:00:00.000Z');
    expect(at('Europe/Berlin', 2026, 10, 25, 3, 0)).toBe('2026-10-25T02:00:00.000Z');
    expect(at('America/New_York', 2026, 7, 4, 12)).toBe('2026-07-04T16:00:00.000Z');
    expect(at('UTC', 2026, 1, 1, 0)).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('wallReachedBy', () => {
  it('stays at the end of a repeated hour during its second pass', () => {
    const berlin = zonedTime('Europe/Berlin');
    const endOfRepeatedHour = Date.UTC(2026, 9, 25, 3) - 1; // 02:59:59.999 as wall time
    // 02:30 CET, the second pass: the clock already showed 02:59:59.999 CEST.
    expect(berlin.wallReachedBy(Date.parse('2026-10-25T01:30:00Z'))).toBe(endOfRepeatedHour);
    expect(berlin.wallReachedBy(Date.parse('2026-10-25T01:59:59.999Z'))).toBe(endOfRepeatedHour);
    expect(berlin.wallReachedBy(Date.parse('2026-10-25T02:00:00Z'))).toBe(Date.UTC(2026, 9, 25, 3));
    // The first pass and ordinary instants read the clock as it is.
    expect(berlin.wallReachedBy(Date.parse('2026-10-25T00:30:00Z'))).toBe(Date.UTC(2026, 9, 25, 2, 30));
    expect(berlin.wallReachedBy(Date.parse('2026-10-26T00:30:00Z'))).toBe(Date.UTC(2026, 9, 26, 1, 30));
  });

  it('is the exact counterpart of instantOf', () => {
    for (const timezone of ['Europe/Berlin', 'America/New_York', 'Australia/Sydney']) {
      const zone = zonedTime(timezone);
      for (const start of ['2026-03-07T12:00:00Z', '2026-04-03T12:00:00Z', '2026-10-02T12:00:00Z', '2026-10-24T12:00:00Z', '2026-10-31T12:00:00Z']) {
        for (let at = Date.parse(start); at < Date.parse(start) + 2 * DAY_MS; at += 7 * 60_000) {
          const reached = zone.wallReachedBy(at);
          expect(zone.instantOf(reached)).toBeLessThanOrEqual(at);
          expect(zone.instantOf(reached + 1)).toBeGreaterThan(at);
        }
      }
    }
  });
});
