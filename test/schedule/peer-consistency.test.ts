// For every new form, across DST changes: stateAt agrees with the last transition, no change hides
// between them, and the next transition really changes the state.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../src/schedule/compile-schedule.ts';
import type { ScheduleSpec } from '../../src/schedule/schedule-spec.ts';

const readCalendar = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

const SCHEDULES: Record<string, ScheduleSpec> = {
  'kube uptime': { uptime: 'Mon-Fri 07:30-20:30 Europe/Berlin, Sat-Sun 20:00-06:00 America/New_York' },
  'kube downtime': { downtime: 'Sun-Sun 01:00-03:30 Australia/Sydney, 2026-10-24T00:00:00Z-2026-10-26T00:00:00Z' },
  custodian: { custodian: 'off=[(m-f,19),(u,2)];on=[(m-f,7),(u,1)];tz=et', 'skip-days': ['2026-11-02'] },
  'instance scheduler': {
    timezone: 'Europe/Berlin',
    periods: [{ begintime: '01:00', endtime: '02:30' }, { begintime: '02:31', endtime: '09:00', weekdays: 'sun' }, { begintime: '20:00', weekdays: 'fri' }, { endtime: '18:00', weekdays: 'sat' }],
  },
  'periods with a calendar': { timezone: 'Europe/Berlin', running: ['Mon-Fri 08:00-19:00', 'Sun 02:00-03:00'], except: ['holidays.ics'], include: ['2026-10-31'] },
};

describe.each(Object.entries(SCHEDULES))('%s', (_, spec) => {
  const schedule = compileSchedule('s', spec, { timezone: 'UTC', readCalendar });

  it('is consistent across the autumn DST changes', () => {
    let checked = 0;
    for (let t = Date.parse('2026-10-22T00:00:00Z'); t < Date.parse('2026-11-05T00:00:00Z'); t += 41 * 60_000) {
      const at = new Date(t);
      const state = schedule.stateAt(at).state;
      const last = schedule.lastTransition(at);
      if (last) {
        expect(state, at.toISOString()).toBe(last.state);
        expect(schedule.nextTransitions(last.at, at), at.toISOString()).toEqual([]);
        checked++;
      }
      const next = schedule.nextTransition(at);
      if (next) expect(next.state, at.toISOString()).not.toBe(state);
    }
    expect(checked).toBeGreaterThan(100);
  });
});
