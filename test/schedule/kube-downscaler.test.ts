// kube-downscaler uptime/downtime strings, with GoKubeDownscaler's semantics (its timespan_test.go cases
// are the ones below where they apply), errors that name the part, and DST edges.
import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../src/schedule/compile-schedule.ts';
import { ScheduleError, type ScheduleSpec } from '../../src/schedule/schedule-spec.ts';
import { edges, scheduleError, stateAt } from '../support/schedule-probes.ts';

const compile = (spec: ScheduleSpec, timezone = 'UTC') => compileSchedule('kd', spec, { timezone });
const up = (uptime: string, extra: { timezone?: string; weekframe?: string } = {}) => compile({ uptime, ...extra });

// 2026-02-05 is a Thursday, 2026-02-07 a Saturday.
describe('relative parts', () => {
  it('matches weekdays inclusively and times in [from, to), by the local clock', () => {
    const office = up('Mon-Fri 08:00-17:00 UTC');
    expect(stateAt(office, '2026-02-05T12:30:00Z')).toBe('running');
    expect(stateAt(office, '2026-02-05T07:59:00Z')).toBe('stopped');
    expect(stateAt(office, '2026-02-05T08:00:00Z')).toBe('running');
    expect(stateAt(office, '2026-02-05T16:59:59Z')).toBe('running');
    expect(stateAt(office, '2026-02-05T17:00:00Z')).toBe('stopped');
    expect(stateAt(office, '2026-02-05T17:01:00Z')).toBe('stopped');
    expect(stateAt(office, '2026-02-07T12:00:00Z')).toBe('stopped');
    const berlin = up('Mon-Fri 07:30-20:30 Europe/Berlin');
    // 07:30 in Berlin is 06:30Z in winter
    expect([stateAt(berlin, '2026-02-05T06:29:59Z'), stateAt(berlin, '2026-02-05T06:30:00Z'), stateAt(berlin, '2026-02-05T19:30:00Z')]).toEqual(['stopped', 'running', 'stopped']);
  });

  it('wraps weekday ranges (Sat-Sun, Fri-Mon; Mon-Sun is the whole week)', () => {
    const weekend = up('Sat-Sun 00:00-24:00 UTC');
    expect(['2026-02-06T12:00:00Z', '2026-02-07T12:00:00Z', '2026-02-08T23:59:59Z', '2026-02-09T00:00:00Z'].map((at) => stateAt(weekend, at))).toEqual([
      'stopped', 'running', 'running', 'stopped',
    ]);
    const long = up('Fri-Mon 09:00-10:00 UTC');
    expect(['2026-02-05', '2026-02-06', '2026-02-07', '2026-02-08', '2026-02-09', '2026-02-10'].map((day) => stateAt(long, `${day}T09:30:00Z`))).toEqual([
      'stopped', 'running', 'running', 'running', 'running', 'stopped',
    ]);
    expect(stateAt(up('Mon-Sun 09:00-10:00 UTC'), '2026-02-04T09:30:00Z')).toBe('running');
    expect(stateAt(up('Sun-Mon 09:00-10:00 UTC'), '2026-02-09T09:30:00Z')).toBe('running');
  });

  it('wraps times past midnight on the listed days, by the weekday of the instant', () => {
    const nights = up('Sat-Sun 20:00-06:00 UTC');
    expect(stateAt(nights, '2026-02-07T21:00:00Z')).toBe('running'); // Saturday evening
    expect(stateAt(nights, '2026-02-08T03:00:00Z')).toBe('running'); // Sunday early
    expect(stateAt(nights, '2026-02-07T03:00:00Z')).toBe('running'); // Saturday early: before 06:00 on a listed day
    expect(stateAt(nights, '2026-02-09T03:00:00Z')).toBe('stopped'); // Monday 03:00 is not a listed day
    expect(stateAt(nights, '2026-02-06T21:00:00Z')).toBe('stopped'); // Friday evening
    expect(stateAt(nights, '2026-02-07T06:00:00Z')).toBe('stopped'); // to is exclusive
    expect(stateAt(nights, '2026-02-07T20:00:00Z')).toBe('running'); // from is inclusive
    // Saturday 20:00 runs on through midnight into Sunday: one stretch, no edge at midnight.
    expect(edges(nights, '2026-02-07T12:00:00Z', '2026-02-09T12:00:00Z')).toEqual([
      '2026-02-07T20:00:00.000Z running',
      '2026-02-08T06:00:00.000Z stopped',
      '2026-02-08T20:00:00.000Z running',
      '2026-02-09T00:00:00.000Z stopped',
    ]);
  });

  it('reads 24:00 as the end of the day; 24:00-00:00 and 00:00-00:00 never match', () => {
    expect(stateAt(up('Mon-Fri 00:00-24:00 UTC'), '2026-02-05T23:59:00Z')).toBe('running');
    expect(stateAt(up('Mon-Fri 00:00-24:00 UTC'), '2026-02-05T00:00:00Z')).toBe('running');
    for (const never of ['Mon-Fri 24:00-00:00 UTC', 'Mon-Fri 00:00-00:00 UTC', 'Mon-Tue 19:00-19:00 UTC']) {
      const schedule = up(never);
      expect(['2026-02-05T00:00:00Z', '2026-02-05T18:00:00Z', '2026-02-05T23:59:00Z', '2026-02-03T19:00:00Z'].map((at) => stateAt(schedule, at)), never).toEqual([
        'stopped', 'stopped', 'stopped', 'stopped',
      ]);
    }
  });

  it('fills a part without days or zone from weekframe and timezone, and refuses a part with neither days nor weekframe', () => {
    const framed = up('08:00-17:00', { weekframe: 'Mon-Fri', timezone: 'Europe/Berlin' });
    expect(stateAt(framed, '2026-02-05T07:30:00Z')).toBe('running');
    expect(stateAt(framed, '2026-02-07T07:30:00Z')).toBe('stopped');
    expect(stateAt(up('Mon-Fri 08:00-17:00', { timezone: 'America/New_York' }), '2026-02-05T13:30:00Z')).toBe('running');
    // the config's default timezone when the schedule names none
    expect(stateAt(compile({ uptime: 'Mon-Fri 08:00-17:00' }, 'Asia/Tokyo'), '2026-02-05T00:30:00Z')).toBe('running');
    expect(stateAt(up('Thu-Thu 03:00-04:00 UTC', { weekframe: 'Mon-Fri' }), '2026-02-05T03:30:00Z')).toBe('running');
    const missing = scheduleError(() => up('12:55-13:00 UTC'));
    expect(missing.path).toEqual(['uptime']);
    expect(missing.message).toContain('no weekframe');
    expect(scheduleError(() => up('08:00-17:00', { weekframe: 'Monday-Friday' })).path).toEqual(['weekframe']);
  });
});

describe('absolute and directional parts', () => {
  it('matches RFC3339 ranges end-exclusive, with or without spaces around the dash', () => {
    const june = up('2024-06-03T20:00:00Z-2024-06-10T06:00:00Z');
    expect(stateAt(june, '2024-06-09T12:34:02.152Z')).toBe('running');
    expect(stateAt(june, '2024-06-03T20:00:00Z')).toBe('running');
    expect(stateAt(june, '2024-06-10T06:00:00Z')).toBe('stopped');
    expect(stateAt(june, '2024-06-03T19:59:59Z')).toBe('stopped');
    const offsets = up('2024-11-01T22:00:00+01:00 - 2024-11-22T05:00:00-05:00');
    expect(stateAt(offsets, '2024-11-01T21:00:00Z')).toBe('running');
    expect(stateAt(offsets, '2024-11-22T09:59:59Z')).toBe('running');
    expect(stateAt(offsets, '2024-11-22T10:00:00Z')).toBe('stopped');
    expect(stateAt(offsets, '2024-12-05T02:30:00Z')).toBe('stopped');
    expect(edges(june, '2024-06-01T00:00:00Z', '2024-06-30T00:00:00Z')).toEqual(['2024-06-03T20:00:00.000Z running', '2024-06-10T06:00:00.000Z stopped']);
  });

  it('reads `from T` and `until T` (space, dash or nothing between), lower case only', () => {
    for (const part of ['from 2026-03-01T00:00:00Z', 'from-2026-03-01T00:00:00Z', 'from2026-03-01T00:00:00Z']) {
      expect([stateAt(up(part), '2026-02-28T23:59:59Z'), stateAt(up(part), '2026-03-01T00:00:00Z')], part).toEqual(['stopped', 'running']);
    }
    const until = up('until 2026-03-01T00:00:00+01:00');
    expect([stateAt(until, '2026-02-28T22:59:59Z'), stateAt(until, '2026-02-28T23:00:00Z')]).toEqual(['running', 'stopped']);
    expect(scheduleError(() => up('From 2026-03-01T00:00:00Z')).message).toContain('expected e.g.');
  });

  it('refuses timestamps that are not RFC3339', () => {
    for (const part of ['2024-07Z - 2024-07-29T16:00:00+02:00', '2024-02-30T00:00:00Z-2024-03-01T00:00:00Z', 'from 2026-03-01', 'until 2026-03-01T25:00:00Z']) {
      expect(() => up(part), part).toThrow(ScheduleError);
    }
  });
});

describe('lists, constants and downtimes', () => {
  it('ORs comma-separated parts, across timezones and kinds of part', () => {
    const mixed = up('Mon-Fri 07:30-20:30 Europe/Berlin, Sat-Sun 10:00-12:00 America/New_York, 2026-02-07T00:00:00Z-2026-02-07T01:00:00Z');
    expect(stateAt(mixed, '2026-02-05T10:00:00Z')).toBe('running');
    expect(stateAt(mixed, '2026-02-07T15:30:00Z')).toBe('running'); // 10:30 in New York
    expect(stateAt(mixed, '2026-02-07T00:30:00Z')).toBe('running'); // the absolute part
    expect(stateAt(mixed, '2026-02-07T12:00:00Z')).toBe('stopped');
    expect(mixed.stateAt(new Date('2026-02-07T15:30:00Z')).reason).toBe('schedule kd: within uptime Sat-Sun 10:00-12:00 America/New_York');
    expect(edges(mixed, '2026-02-06T00:00:00Z', '2026-02-08T00:00:00Z')).toEqual([
      '2026-02-06T06:30:00.000Z running',
      '2026-02-06T19:30:00.000Z stopped',
      '2026-02-07T00:00:00.000Z running',
      '2026-02-07T01:00:00.000Z stopped',
      '2026-02-07T15:00:00.000Z running',
      '2026-02-07T17:00:00.000Z stopped',
    ]);
    const transitions = mixed.nextTransitions(new Date('2026-02-07T14:00:00Z'), new Date('2026-02-07T18:00:00Z'));
    expect(transitions.map((t) => t.reason)).toEqual([
      'schedule kd: uptime Sat-Sun 10:00-12:00 America/New_York began',
      'schedule kd: uptime Sat-Sun 10:00-12:00 America/New_York ended',
    ]);
  });

  it('takes always/true and never/false per part, case-insensitively', () => {
    expect(up('Never, TRUE').stateAt(new Date('2026-02-05T00:00:00Z'))).toEqual({ state: 'running', reason: 'schedule kd: uptime always' });
    expect(stateAt(up('never'), '2026-02-05T00:00:00Z')).toBe('stopped');
    expect(stateAt(up('FALSE, Mon-Fri 08:00-17:00 UTC'), '2026-02-05T09:00:00Z')).toBe('running');
    expect(stateAt(compile({ downtime: 'always' }), '2026-02-05T09:00:00Z')).toBe('stopped');
    expect(stateAt(compile({ downtime: 'false' }), '2026-02-05T09:00:00Z')).toBe('running');
  });

  it('reads a downtime the other way round: stopped while any part matches', () => {
    const downtime = compile({ downtime: 'Sat-Sun 00:00-24:00 CET, Fri-Fri 20:00-24:00 CET' });
    expect(downtime.stateAt(new Date('2026-02-06T19:30:00Z'))).toEqual({ state: 'stopped', reason: 'schedule kd: within downtime Fri-Fri 20:00-24:00 CET' });
    expect(downtime.stateAt(new Date('2026-02-05T12:00:00Z'))).toEqual({ state: 'running', reason: 'schedule kd: outside downtime' });
    // Friday 20:00 CET until Monday 00:00 CET is one stopped stretch.
    expect(edges(downtime, '2026-02-05T00:00:00Z', '2026-02-10T00:00:00Z')).toEqual(['2026-02-06T19:00:00.000Z stopped', '2026-02-08T23:00:00.000Z running']);
  });

  it('takes a bare string as an uptime', () => {
    const bare = compile('Mon-Fri 07:30-20:30 Europe/Berlin');
    expect(bare.stateAt(new Date('2026-02-05T10:00:00Z')).reason).toBe('schedule kd: within uptime Mon-Fri 07:30-20:30 Europe/Berlin');
  });
});

describe('errors name the part', () => {
  it.each([
    ['Mon-Fri 07:00-16:00 Invalid', 'unknown timezone "Invalid"'],
    ['Mon-Fri 03:00-04-00 UTC', 'expected e.g.'],
    ['Mon-Fri -03:00-04:00 UTC', 'expected e.g.'],
    ['Mon-Fri 00:00-26:00 UTC', '"26:00" is not a time of day'],
    ['Mon-Fri 08:60-10:00 UTC', '"08:60" is not a time of day'],
    ['Thur-Fri 08:00-10:00 UTC', 'expected e.g.'],
    ['Mon-Fry 08:00-10:00 UTC', 'unknown weekday in "Mon-Fry"'],
    ['Mon-Fri 08:00-10:00 UTC extra', 'expected e.g.'],
  ])('%j: %s', (uptime, message) => {
    const error = scheduleError(() => up(uptime));
    expect(error.path).toEqual(['uptime']);
    expect(error.message).toContain(`invalid uptime "${uptime}"`);
    expect(error.message).toContain(message);
  });

  it('numbers the part in a list, and refuses a bad part even after one that matches', () => {
    const error = scheduleError(() => compile({ downtime: 'always, Sat-Sun 8-10 UTC' }));
    expect(error.path).toEqual(['downtime']);
    expect(error.message).toMatch(/^invalid downtime part 2 "Sat-Sun 8-10 UTC": expected e\.g\./);
  });

  it('says why a bare string is read as an uptime', () => {
    const error = scheduleError(() => compile('office hours'));
    expect(error.path).toEqual([]);
    expect(error.message).toMatch(/^"office hours" is not a schedule name .* read as a kube-downscaler uptime/);
  });
});

describe('DST', () => {
  it('Europe/Berlin: an edge in the skipped hour happens at 03:00; the repeated hour is not matched twice', () => {
    // 2026-03-29: 02:00 -> 03:00 (01:00Z); 2026-10-25: 03:00 -> 02:00 (01:00Z)
    const spring = up('Sun-Sun 02:30-05:00 Europe/Berlin');
    expect(edges(spring, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).toEqual(['2026-03-29T01:00:00.000Z running', '2026-03-29T03:00:00.000Z stopped']);
    const fall = up('Sun-Sun 01:00-02:30 Europe/Berlin');
    // ends at the first 02:30 (00:30Z) and stays stopped through the second 02:00-02:30
    expect(edges(fall, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z')).toEqual(['2026-10-24T23:00:00.000Z running', '2026-10-25T00:30:00.000Z stopped']);
    expect(stateAt(fall, '2026-10-25T01:15:00Z')).toBe('stopped');
  });

  it('America/New_York and Australia/Sydney, in a downtime', () => {
    // New York 2026-03-08 02:00 -> 03:00 (07:00Z); Sydney 2026-04-05 03:00 -> 02:00 (16:00Z on the 4th)
    const ny = compile({ downtime: 'Sun-Sun 02:15-02:45 America/New_York' });
    expect(edges(ny, '2026-03-08T00:00:00Z', '2026-03-08T12:00:00Z')).toEqual([]); // folded onto 03:00: no change at all
    const sydney = compile({ downtime: 'Sun-Sun 02:00-02:30 Australia/Sydney' });
    expect(edges(sydney, '2026-04-04T12:00:00Z', '2026-04-05T00:00:00Z')).toEqual(['2026-04-04T15:00:00.000Z stopped', '2026-04-04T15:30:00.000Z running']);
  });

  it('keeps stateAt, nextTransitions and lastTransition consistent for a value across zones', () => {
    const mixed = up('Mon-Fri 07:30-20:30 Europe/Berlin, Sat-Sun 20:00-06:00 America/New_York, from 2026-03-29T00:30:00Z');
    for (let t = Date.parse('2026-03-26T00:00:00Z'); t < Date.parse('2026-03-30T00:00:00Z'); t += 37 * 60_000) {
      const at = new Date(t);
      const last = mixed.lastTransition(at);
      if (last) {
        expect(mixed.stateAt(at).state, at.toISOString()).toBe(last.state);
        expect(mixed.nextTransitions(last.at, at)).toEqual([]);
      }
    }
  });
});
