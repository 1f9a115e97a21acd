// iCalendar files as except/include stretches: all-day and timed events, yearly rules, EXDATE,
// moved occurrences, cancelled events, and how they lay over a schedule (include wins over except).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { compileSchedule } from '../../src/schedule/compile-schedule.ts';
import { parseIcsCalendar } from '../../src/schedule/ics-calendar.ts';
import type { ScheduleSpec } from '../../src/schedule/schedule-spec.ts';
import { zonedTime } from '../../src/schedule/zoned-time.ts';
import { definitions } from '../config/fake-definition.ts';
import { scheduleError, stateAt } from '../support/schedule-probes.ts';

const fixtures = new URL('../fixtures/', import.meta.url);
const readCalendar = (path: string) => readFileSync(new URL(path, fixtures), 'utf8');
const compile = (spec: ScheduleSpec) => compileSchedule('office', spec, { timezone: 'UTC', readCalendar });
const iso = (wall: number) => new Date(wall).toISOString().replace('.000Z', '');

describe('parseIcsCalendar', () => {
  const spans = parseIcsCalendar(readCalendar('holidays.ics'), zonedTime('Europe/Berlin'), 'holidays.ics');
  const named = (summary: string) => spans.filter((span) => span.summary === summary).map((span) => `${iso(span.start)}..${iso(span.end)}`);

  it('reads all-day events as local days, end exclusive', () => {
    expect(named('Year-end shutdown, all sites')).toEqual(['2026-12-28T00:00:00..2027-01-01T00:00:00']);
    expect(spans.find((span) => span.summary === 'Year-end shutdown, all sites')!.text).toBe('holidays.ics: Year-end shutdown, all sites 2026-12-28');
  });

  it('expands yearly rules (plain, by nth weekday of a month, with COUNT), minus EXDATE and moved occurrences', () => {
    const christmas = named('Christmas Day');
    expect(christmas[0]).toBe('2020-12-25T00:00:00..2020-12-26T00:00:00');
    expect(christmas).toContain('2026-12-25T00:00:00..2026-12-26T00:00:00');
    expect(christmas.some((span) => span.startsWith('2028-12-25'))).toBe(false); // EXDATE
    expect(christmas.at(-1)!.startsWith('2199-12-25')).toBe(true);
    expect(named('Thanksgiving').slice(0, 4).map((span) => span.slice(0, 10))).toEqual(['2023-11-23', '2024-11-28', '2025-11-27', '2026-11-26']);
    expect(named('Founders day').map((span) => span.slice(0, 10))).toEqual(['2025-03-01', '2027-03-01', '2028-03-01', '2029-03-01']);
    expect(named('Founders day (moved)').map((span) => span.slice(0, 10))).toEqual(['2026-03-02']);
  });

  it('places timed events in the schedule zone: TZID, UTC and DURATION; unfolds long lines; skips cancelled events', () => {
    expect(named('Office party')).toEqual(['2026-12-18T15:00:00..2026-12-18T23:00:00']);
    expect(named('Network maintenance')).toEqual(['2026-06-11T00:00:00..2026-06-11T04:00:00']); // 22:00Z is midnight in Berlin summer time
    const utc = parseIcsCalendar(readCalendar('holidays.ics'), zonedTime('UTC'), 'holidays.ics');
    expect(utc.filter((span) => span.summary === 'Office party').map((span) => iso(span.start))).toEqual(['2026-12-18T14:00:00']);
    expect(spans.some((span) => span.summary === 'Cancelled offsite')).toBe(false);
  });

  it.each([
    ['no calendar', 'BEGIN:VEVENT\nEND:VEVENT\n', 'not an iCalendar file'],
    ['weekly rule', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=WEEKLY\nEND:VEVENT\nEND:VCALENDAR\n', 'only FREQ=YEARLY'],
    ['RDATE', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nRDATE;VALUE=DATE:20260105\nEND:VEVENT\nEND:VCALENDAR\n', 'RDATE is not supported'],
    ['Windows zone', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=W. Europe Standard Time:20260101T090000\nDTEND;TZID=W. Europe Standard Time:20260101T100000\nEND:VEVENT\nEND:VCALENDAR\n', 'is not an IANA timezone'],
    ['bad date', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260230\nEND:VEVENT\nEND:VCALENDAR\n', 'is not a real date'],
    ['no start', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n', 'has no DTSTART'],
    ['end before start', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260101T100000Z\nDTEND:20260101T090000Z\nEND:VEVENT\nEND:VCALENDAR\n', 'DTEND is not after DTSTART'],
  ])('refuses a calendar with %s, naming the file and line', (_, text, message) => {
    const error = scheduleError(() => parseIcsCalendar(text, zonedTime('UTC'), 'bad.ics', ['except', 2]));
    expect(error.path).toEqual(['except', 2]);
    expect(error.message).toMatch(/^invalid calendar "bad\.ics"/);
    expect(error.message).toContain(message);
  });
});

// 2026-11-26 (Thanksgiving) is a Thursday, 2026-12-25 a Friday, 2026-03-07 a Saturday.
describe('calendars in a schedule', () => {
  const office = compile({ timezone: 'Europe/Berlin', running: ['Mon-Fri 08:00-19:00'], except: ['holidays.ics', '2026-12-24'] });

  it('stops on excepted days and from a timed event on, with the event as the reason', () => {
    expect(office.stateAt(new Date('2026-11-26T10:00:00Z'))).toEqual({ state: 'stopped', reason: 'schedule office: except holidays.ics: Thanksgiving 2026-11-26' });
    expect(stateAt(office, '2026-12-25T10:00:00Z')).toBe('stopped');
    expect(stateAt(office, '2026-12-24T10:00:00Z')).toBe('stopped');
    expect(stateAt(office, '2028-12-25T10:00:00Z')).toBe('running'); // EXDATE
    const friday = office.nextTransitions(new Date('2026-12-18T00:00:00Z'), new Date('2026-12-19T00:00:00Z'));
    expect(friday.map((t) => `${t.at.toISOString()} ${t.state} ${t.reason}`)).toEqual([
      '2026-12-18T07:00:00.000Z running schedule office: Mon-Fri 08:00-19:00 began',
      '2026-12-18T14:00:00.000Z stopped schedule office: except holidays.ics: Office party 2026-12-18 15:00',
    ]);
    // nothing runs from Christmas Eve to the end of the shutdown (DTEND is exclusive: Friday 1 January runs)
    expect(office.nextTransition(new Date('2026-12-23T20:00:00Z'))!.at).toEqual(new Date('2027-01-01T07:00:00Z'));
  });

  it('include turns days on, beating except and the schedule', () => {
    const release = compile({ timezone: 'Europe/Berlin', running: ['Mon-Fri 08:00-19:00'], except: ['2026-03-02..2026-03-06'], include: ['release-weekends.ics', '2026-03-04'] });
    expect(release.stateAt(new Date('2026-03-07T03:00:00Z'))).toEqual({ state: 'running', reason: 'schedule office: include release-weekends.ics: Release weekend 2026-03-07' });
    expect(stateAt(release, '2026-03-04T22:00:00Z')).toBe('running'); // included inside the except range, all day
    expect(stateAt(release, '2026-03-03T10:00:00Z')).toBe('stopped');
    expect(release.nextTransitions(new Date('2026-03-06T12:00:00Z'), new Date('2026-03-09T12:00:00Z')).map((t) => `${t.at.toISOString()} ${t.state} ${t.reason}`)).toEqual([
      '2026-03-06T23:00:00.000Z running schedule office: include release-weekends.ics: Release weekend 2026-03-07',
      '2026-03-08T23:00:00.000Z stopped schedule office: include release-weekends.ics: Release weekend 2026-03-07 ended',
      '2026-03-09T07:00:00.000Z running schedule office: Mon-Fri 08:00-19:00 began',
    ]);
  });

  it('works for every single-zone form: cron, Custodian and Instance Scheduler schedules too', () => {
    expect(stateAt(compile({ cron: { start: '0 8 * * 1-5', stop: '0 19 * * 1-5' }, except: ['holidays.ics'] }), '2026-11-26T10:00:00Z')).toBe('stopped');
    expect(stateAt(compile({ custodian: 'off=(m-f,19);on=(m-f,7);tz=utc', include: ['release-weekends.ics'] }), '2026-03-07T10:00:00Z')).toBe('running');
    expect(stateAt(compile({ periods: [{ weekdays: 'mon-fri' }], except: ['holidays.ics'] }), '2026-11-26T10:00:00Z')).toBe('stopped');
  });

  it('names the entry of a calendar that cannot be read, or that is a URL', () => {
    const missing = scheduleError(() => compile({ running: ['daily 08:00-18:00'], except: ['2026-01-01', 'nope.ics'] }));
    expect(missing.path).toEqual(['except', 1]);
    expect(missing.message).toBe('calendar "nope.ics": cannot read it (it does not exist)');
    expect(scheduleError(() => compile({ running: ['daily 08:00-18:00'], include: ['https://example.com/holidays.ics'] })).message).toContain('not URLs');
    const noFiles = scheduleError(() => compileSchedule('x', { running: ['daily 08:00-18:00'], except: ['holidays.ics'] }, { timezone: 'UTC' }));
    expect(noFiles.message).toContain('only when a config file is loaded');
    expect(scheduleError(() => compile({ running: ['daily 08:00-18:00'], include: ['2026-02-30'] })).message).toBe('invalid include date "2026-02-30": 2026-02-30 is not a real date');
  });

  it('is read at config load, relative to the config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'offhours-ics-'));
    writeFileSync(join(dir, 'holidays.ics'), readCalendar('holidays.ics'));
    const config = join(dir, 'offhours.yaml');
    writeFileSync(
      config,
      `providers:\n  main: { type: fake, credentials: { token: tk-1 } }\nschedules:\n  office: { timezone: Europe/Berlin, running: ["Mon-Fri 08:00-19:00"], except: [holidays.ics] }\ntargets:\n  - { name: a, provider: main, resource: r1, schedule: office }\n`,
    );
    const loaded = await loadConfig(config, { env: {}, definitions });
    expect(loaded.schedules.get('office')!.stateAt(new Date('2026-11-26T10:00:00Z')).reason).toBe('schedule office: except holidays.ics: Thanksgiving 2026-11-26');
  });
});
