// Many cases from the peers' documented semantics (shared/PEER-SCHEDULES.md: GoKubeDownscaler, Cloud
// Custodian offhours, AWS Instance Scheduler) and from offhours' own forms, through one
// `offhours eval --stdin --json` process: every answer carries the peer's state and a reason.
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const holidays = fileURLToPath(new URL('../fixtures/holidays.ics', import.meta.url));

// [schedule, instant, expected state]. 2026-03-02 is a Monday; Pacific time is UTC-8 until 8 March.
const CASES: [unknown, string, 'running' | 'stopped' | 'any'][] = [
  // kube-downscaler (GoKubeDownscaler where the dialects differ)
  ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-03-02T10:00:00Z', 'running'],
  ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-03-02T06:29:00Z', 'stopped'],
  ['Mon-Fri 07:30-20:30 Europe/Berlin', '2026-03-07T10:00:00Z', 'stopped'],
  [{ uptime: 'Mon-Fri 07:30-20:30 Europe/Berlin' }, '2026-03-02T19:30:00Z', 'stopped'],
  [{ uptime: 'Sun-Fri 08:00-09:00 UTC' }, '2026-03-01T08:30:00Z', 'running'],
  [{ uptime: 'Sun-Fri 08:00-09:00 UTC' }, '2026-03-07T08:30:00Z', 'stopped'],
  [{ uptime: 'Sat-Sun 20:00-06:00 UTC' }, '2026-03-08T03:00:00Z', 'running'],
  [{ uptime: 'Sat-Sun 20:00-06:00 UTC' }, '2026-03-09T03:00:00Z', 'stopped'],
  [{ uptime: 'Mon-Fri 00:00-24:00 UTC' }, '2026-03-02T23:59:00Z', 'running'],
  [{ uptime: 'Mon-Fri 24:00-00:00 UTC' }, '2026-03-02T12:00:00Z', 'stopped'],
  [{ uptime: 'Mon-Fri 00:00-00:00 UTC' }, '2026-03-02T00:00:00Z', 'stopped'],
  [{ uptime: 'Mon-Mon 19:00-19:00 UTC' }, '2026-03-02T19:00:00Z', 'stopped'],
  [{ uptime: '2026-03-02T08:00:00+01:00-2026-03-02T10:00:00+01:00' }, '2026-03-02T07:00:00Z', 'running'],
  [{ uptime: '2026-03-02T08:00:00+01:00 - 2026-03-02T10:00:00+01:00' }, '2026-03-02T09:00:00Z', 'stopped'],
  [{ uptime: 'from 2026-03-02T00:00:00Z' }, '2026-03-02T00:00:00Z', 'running'],
  [{ uptime: 'until 2026-03-02T00:00:00Z' }, '2026-03-02T00:00:00Z', 'stopped'],
  [{ uptime: 'never, TRUE' }, '2026-03-02T00:00:00Z', 'running'],
  [{ uptime: 'False' }, '2026-03-02T00:00:00Z', 'stopped'],
  [{ uptime: '08:00-09:00', weekframe: 'Mon-Fri', timezone: 'Pacific/Auckland' }, '2026-03-01T19:30:00Z', 'running'],
  [{ uptime: 'Mon-Fri 08:00-09:00 Etc/GMT+1' }, '2026-03-02T09:30:00Z', 'running'],
  [{ downtime: 'Sat-Sun 00:00-24:00 CET, Fri-Fri 20:00-24:00 CET' }, '2026-03-06T19:30:00Z', 'stopped'],
  [{ downtime: 'Sat-Sun 00:00-24:00 CET, Fri-Fri 20:00-24:00 CET' }, '2026-03-09T00:00:00Z', 'running'],
  // Cloud Custodian offhours
  [{ custodian: 'off=(M-F,19);on=(M-F,7);tz=pt' }, '2026-03-02T15:00:00Z', 'running'],
  [{ custodian: 'off=(M-F,19);on=(M-F,7);tz=pt' }, '2026-03-02T14:59:00Z', 'stopped'],
  [{ custodian: 'off=(M-F,19);on=(M-F,7);tz=pt' }, '2026-03-03T03:00:00Z', 'stopped'],
  [{ custodian: 'off=[(M-F,21),(U,18)];on=[(M-F,6),(U,10)];tz=pt' }, '2026-03-01T19:00:00Z', 'running'],
  [{ custodian: 'off=[(M-F,21),(U,18)];on=[(M-F,6),(U,10)];tz=pt' }, '2026-03-01T17:00:00Z', 'stopped'],
  [{ custodian: 'on=(s-m,9);off=(s-m,17);tz=utc' }, '2026-03-01T12:00:00Z', 'running'],
  [{ custodian: 'on=(s-m,9);off=(s-m,17);tz=utc' }, '2026-03-03T12:00:00Z', 'stopped'],
  [{ custodian: '' }, '2026-03-02T12:00:00Z', 'running'],
  [{ custodian: 'on' }, '2026-03-02T11:59:00Z', 'stopped'],
  [{ custodian: 'off' }, '2026-03-02T12:00:00Z', 'any'],
  [{ custodian: null }, '2026-03-02T12:00:00Z', 'any'],
  [{ custodian: null, 'opt-out': true }, '2026-03-02T12:00:00Z', 'running'],
  [{ custodian: 'Offhours tz=PT' }, '2026-03-02T15:00:00Z', 'running'],
  [{ custodian: '"off=(m-f,19);on=(m-f,7);tz=et"' }, '2026-03-02T12:00:00Z', 'running'],
  [{ custodian: 'offu3du28M-Fu2c18u29u3btzu3dAustraliau2fSydney' }, '2026-03-02T07:30:00Z', 'stopped'],
  [{ custodian: 'tz=america/los_angeles' }, '2026-03-02T15:00:00Z', 'running'],
  [{ custodian: '', weekends: false }, '2026-03-07T18:00:00Z', 'running'],
  [{ custodian: '', 'weekends-only': true }, '2026-03-04T18:00:00Z', 'running'],
  [{ custodian: '', 'weekends-only': true }, '2026-03-07T18:00:00Z', 'stopped'],
  [{ custodian: 'off=(m-f,19);on=(m-f,7);tz=utc', 'skip-days': ['2026-03-02'] }, '2026-03-02T12:00:00Z', 'stopped'],
  [{ custodian: 'off=(m-f,19);on=(m-f,7);tz=utc', offhour: 22 }, '2026-03-02T12:00:00Z', 'running'],
  // AWS Instance Scheduler
  [{ periods: [{ begintime: '09:00', endtime: '17:00', weekdays: 'mon-fri' }], timezone: 'Europe/Berlin' }, '2026-03-02T08:00:00Z', 'running'],
  [{ periods: [{ begintime: '09:00', endtime: '17:00', weekdays: 'mon-fri' }], timezone: 'Europe/Berlin' }, '2026-03-02T16:00:00Z', 'stopped'],
  [{ periods: [{ begintime: '09:00' }] }, '2026-03-02T08:59:59Z', 'any'],
  [{ periods: [{ begintime: '09:00' }] }, '2026-03-02T09:00:00Z', 'running'],
  [{ periods: [{ endtime: '17:00' }] }, '2026-03-02T16:59:59Z', 'any'],
  [{ periods: [{ endtime: '17:00' }] }, '2026-03-02T17:00:00Z', 'stopped'],
  [{ periods: [{ begintime: '09:00', weekdays: 'sat' }] }, '2026-03-02T10:00:00Z', 'stopped'],
  [{ periods: [{ begintime: '05:00', endtime: '10:00' }, { begintime: '10:01', endtime: '15:00' }] }, '2026-03-02T10:00:30Z', 'running'],
  [{ periods: [{ begintime: '05:00', endtime: '10:00' }, { begintime: '10:02', endtime: '15:00' }] }, '2026-03-02T10:00:30Z', 'stopped'],
  [{ periods: [{ begintime: '09:00', endtime: '12:00' }, { begintime: '14:00' }] }, '2026-03-02T13:00:00Z', 'any'],
  [{ periods: [{ weekdays: 'sat#1' }] }, '2026-03-07T12:00:00Z', 'running'],
  [{ periods: [{ weekdays: 'sat#1' }] }, '2026-03-14T12:00:00Z', 'stopped'],
  [{ periods: [{ weekdays: 'L' }] }, '2026-03-08T12:00:00Z', 'running'],
  [{ periods: [{ weekdays: '4L' }] }, '2026-03-27T12:00:00Z', 'running'],
  [{ periods: [{ weekdays: '6-0' }] }, '2026-03-02T12:00:00Z', 'running'],
  [{ periods: [{ monthdays: 'L' }] }, '2026-02-28T12:00:00Z', 'running'],
  [{ periods: [{ monthdays: '1W' }] }, '2026-08-03T12:00:00Z', 'running'],
  [{ periods: [{ monthdays: '25-L/2' }] }, '2026-03-27T12:00:00Z', 'running'],
  [{ periods: [{ monthdays: '25-L/2' }] }, '2026-03-28T12:00:00Z', 'stopped'],
  [{ periods: [{ months: 'oct-jun' }] }, '2026-07-01T12:00:00Z', 'stopped'],
  [{ periods: [{ months: 'oct-jun' }] }, '2026-12-01T12:00:00Z', 'running'],
  [{ periods: [{ monthdays: '1-7', weekdays: 'mon' }] }, '2026-03-09T12:00:00Z', 'stopped'],
  [{ periods: [{ begintime: '09:00', endtime: '10:00' }], timezone: 'Etc/GMT+5' }, '2026-03-02T14:30:00Z', 'running'],
  [{ periods: [{ weekdays: 'mon' }], override_status: 'stopped' }, '2026-03-02T12:00:00Z', 'stopped'],
  // offhours periods, constants and holidays
  [{ running: ['Fri-Mon 08:00-12:00'] }, '2026-03-01T10:00:00Z', 'running'],
  [{ running: ['Fri 18:00-Mon 07:00'], timezone: 'Europe/Berlin' }, '2026-03-08T12:00:00Z', 'running'],
  [{ running: ['Mon-Fri 22:00-06:00'] }, '2026-03-07T05:00:00Z', 'running'],
  [{ running: ['Mon#1 09:00-17:00'] }, '2026-03-02T12:00:00Z', 'running'],
  [{ running: ['Mon#1 09:00-17:00'] }, '2026-03-09T12:00:00Z', 'stopped'],
  [{ running: ['Fri#L 09:00-12:00'] }, '2026-03-27T10:00:00Z', 'running'],
  [{ running: ['daily 09:00-17:00 days L months Feb'] }, '2026-02-28T10:00:00Z', 'running'],
  [{ running: ['Mon-Fri 08:00-12:00', 'Mon-Fri 13:00-18:00'] }, '2026-03-02T12:30:00Z', 'stopped'],
  ['always', '2026-03-02T12:00:00Z', 'running'],
  ['never', '2026-03-02T12:00:00Z', 'stopped'],
  [{ running: ['Mon-Fri 08:00-19:00'], except: [holidays] }, '2026-11-26T12:00:00Z', 'stopped'],
  [{ running: ['Mon-Fri 08:00-19:00'], except: ['2026-03-02'], include: ['2026-03-07'] }, '2026-03-07T12:00:00Z', 'running'],
  [{ cron: { start: '0 8 * * 1-5', stop: '0 19 * * 1-5' }, timezone: 'Europe/Paris' }, '2026-03-02T08:00:00Z', 'running'],
];

describe('offhours eval --stdin --json on the peers\' semantics', () => {
  it(`answers ${CASES.length} cases in one process, each with the peer's state and a reason`, async () => {
    let out = '';
    const input = CASES.map(([schedule, at]) => JSON.stringify({ schedule, at })).join('\n') + '\n';
    const code = await main(['eval', '--stdin', '--json'], { out: (text) => void (out += text), err: () => {}, env: {}, stdin: Readable.from([input]) });
    const answers = out.trim().split('\n').map((line) => JSON.parse(line) as { state?: string; reason?: string; error?: string });
    expect(answers).toHaveLength(CASES.length);
    const mismatches = CASES.flatMap(([schedule, at, state], index) => {
      const answer = answers[index]!;
      return answer.state === state && answer.reason ? [] : [`${JSON.stringify(schedule)} at ${at}: expected ${state}, got ${JSON.stringify(answer)}`];
    });
    expect(mismatches).toEqual([]);
    expect(code).toBe(0);
  });

  it('answers a line it cannot evaluate with an error naming the path, and exits 1', async () => {
    let out = '';
    const lines = [{ schedule: { custodian: 'zebra=blue' }, at: '2026-03-02T12:00:00Z' }, { schedule: 'always', at: '2026-03-02T12:00:00Z' }];
    const code = await main(['eval', '--stdin'], { out: (text) => void (out += text), err: () => {}, env: {}, stdin: Readable.from([lines.map((line) => JSON.stringify(line)).join('\n')]) });
    const [bad, good] = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(bad!.error).toBe('custodian: invalid custodian tag "zebra=blue": unknown key "zebra" (Custodian reads on, off and tz)');
    expect(good).toMatchObject({ state: 'running', reason: 'schedule eval: always running' });
    expect(code).toBe(1);
  });

  it('prints any for --schedule, with why', async () => {
    let out = '';
    const code = await main(['eval', '--schedule', '{periods: [{begintime: "09:00"}]}', '--at', '2026-03-02T08:00:00Z'], { out: (text) => void (out += text), err: () => {}, env: {} });
    expect(code).toBe(0);
    expect(out).toBe('any (schedule eval: period from 09:00 has only a begin time, not reached yet: the state is left alone); next: running at 2026-03-02T09:00:00.000Z\n');
  });
});
