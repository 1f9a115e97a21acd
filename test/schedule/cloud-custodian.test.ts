// Cloud Custodian offhours tags, read as c7n/filters/offhours.py reads them (cases from its test_offhours.py
// where they apply), turned from hourly edges into a state; policy defaults, opt-out, skip-days and DST.
import { describe, expect, it } from 'vitest';
import { compileSchedule } from '../../src/schedule/compile-schedule.ts';
import type { CustodianScheduleSpec } from '../../src/schedule/schedule-spec.ts';
import { edges, scheduleError, stateAt } from '../support/schedule-probes.ts';

const custodian = (tag: string | null, policy: Omit<CustodianScheduleSpec, 'custodian'> = {}) => compileSchedule('c7n', { custodian: tag, ...policy }, { timezone: 'UTC' });

// 2026-02-09 is a Monday. Pacific time is UTC-8 in February, Eastern UTC-5.
describe('tag schedules', () => {
  it('is stopped from the last off edge until the next on edge', () => {
    const office = custodian('off=(M-F,19);on=(M-F,7);tz=pt');
    expect(stateAt(office, '2026-02-09T14:59:59Z')).toBe('stopped'); // Monday 06:59 PT: Friday's off still holds
    expect(stateAt(office, '2026-02-09T15:00:00Z')).toBe('running'); // Monday 07:00 PT
    expect(stateAt(office, '2026-02-10T02:59:59Z')).toBe('running'); // Monday 18:59 PT
    expect(stateAt(office, '2026-02-10T03:00:00Z')).toBe('stopped'); // Monday 19:00 PT
    expect(stateAt(office, '2026-02-14T20:00:00Z')).toBe('stopped'); // Saturday
    expect(office.stateAt(new Date('2026-02-09T20:00:00Z')).reason).toBe('schedule c7n: custodian onhour (m-f,7) fired');
    const week = office.nextTransitions(new Date('2026-02-08T00:00:00Z'), new Date('2026-02-15T00:00:00Z'));
    expect(week).toHaveLength(10);
    expect(week[0]).toEqual({ at: new Date('2026-02-09T15:00:00Z'), state: 'running', reason: 'schedule c7n: custodian onhour (m-f,7) fired' });
    expect(week[1]).toEqual({ at: new Date('2026-02-10T03:00:00Z'), state: 'stopped', reason: 'schedule c7n: custodian offhour (m-f,19) fired' });
  });

  it('takes lists, the [days,hour] form, single days and wrapping ranges', () => {
    const weekdaysAndSunday = custodian('off=[(M-F,21),(U,18)];on=[(M-F,6),(U,10)];tz=pt');
    expect(stateAt(weekdaysAndSunday, '2026-02-15T17:59:00Z')).toBe('stopped'); // Sunday 09:59 PT
    expect(stateAt(weekdaysAndSunday, '2026-02-15T18:00:00Z')).toBe('running'); // Sunday 10:00 PT
    expect(stateAt(weekdaysAndSunday, '2026-02-16T02:00:00Z')).toBe('stopped'); // Sunday 18:00 PT
    expect(stateAt(weekdaysAndSunday, '2026-02-16T14:00:00Z')).toBe('running'); // Monday 06:00 PT
    expect(stateAt(custodian('off=[m-f,19];on=[m-f,7];tz=utc'), '2026-02-09T12:00:00Z')).toBe('running');
    const weekend = custodian('on=(s-m,9);off=(s-m,17);tz=utc'); // Saturday, Sunday, Monday
    expect(['2026-02-13', '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17'].map((day) => stateAt(weekend, `${day}T12:00:00Z`))).toEqual([
      'stopped', 'running', 'running', 'running', 'stopped',
    ]);
  });

  it('normalises the value as Custodian does: case, quotes, escapes, empty pieces, free words', () => {
    const reference = edges(custodian('off=(m-f,19);on=(m-f,7);tz=et'), '2026-02-08T00:00:00Z', '2026-02-15T00:00:00Z');
    for (const tag of ['OFF=(M-F,19);ON=(M-F,7);TZ=ET', '"off=(m-f,19);on=(m-f,7);tz=et"', "'off=(m-f,19);on=(m-f,7);tz=et'", 'off=(m-f,19);;on=(m-f,7);tz=et;', 'offu3du28mu2dfu2c19u29u3bonu3du28mu2dfu2c7u29u3btzu3det']) {
      expect(edges(custodian(tag), '2026-02-08T00:00:00Z', '2026-02-15T00:00:00Z'), tag).toEqual(reference);
    }
    // free words are ignored when the keys are checked: the policy defaults, in the tag's timezone
    expect(edges(custodian('Offhours tz=PT'), '2026-02-09T00:00:00Z', '2026-02-10T12:00:00Z')).toEqual(['2026-02-09T15:00:00.000Z running', '2026-02-10T03:00:00.000Z stopped']);
    // GCP-escaped, with a slash in the zone
    expect(stateAt(custodian('offu3du28M-Fu2c18u29u3btzu3dAustraliau2fSydney'), '2026-02-09T07:30:00Z')).toBe('stopped'); // Monday 18:30 in Sydney
  });

  it('fills a missing half from the policy defaults, with the tag timezone', () => {
    const offOnly = custodian('off=(m-f,22);tz=pt', { onhour: 8 });
    expect(edges(offOnly, '2026-02-09T00:00:00Z', '2026-02-10T12:00:00Z')).toEqual(['2026-02-09T16:00:00.000Z running', '2026-02-10T06:00:00.000Z stopped']);
    expect(offOnly.nextTransition(new Date('2026-02-09T00:00:00Z'))!.reason).toBe('schedule c7n: custodian onhour 8 (m-f, policy default) fired');
  });

  it('never fires a disabled half; both disabled is `any`', () => {
    // only starts ever fire: once one has, it stays running
    const startOnly = custodian('off=disabled;on=(m-f,7);tz=utc');
    expect(edges(startOnly, '2026-02-08T00:00:00Z', '2026-02-15T00:00:00Z')).toEqual([]);
    expect(startOnly.stateAt(new Date('2026-02-14T12:00:00Z'))).toEqual({ state: 'running', reason: 'schedule c7n: custodian onhour (m-f,7) fired' });
    expect(stateAt(custodian('off=disabled;on=disabled'), '2026-02-09T07:00:00Z')).toBe('any');
  });

  it('lets an off win over an on in the same hour', () => {
    expect(stateAt(custodian('off=(m,7);on=(m-f,7);tz=utc'), '2026-02-09T07:30:00Z')).toBe('stopped');
    expect(stateAt(custodian('off=(m,7);on=(m-f,7);tz=utc'), '2026-02-10T07:30:00Z')).toBe('running');
  });

  it('resolves Custodian aliases and IANA names in any case', () => {
    const at = '2026-02-09T12:00:00Z';
    const hourIn = (tz: string) => {
      const schedule = custodian(`on=(m-u,0);off=(m-u,23);tz=${tz}`);
      return schedule.lastTransition(new Date(at))!.at.toISOString();
    };
    expect(hourIn('pt')).toBe('2026-02-09T08:00:00.000Z');
    expect(hourIn('at')).toBe('2026-02-09T07:00:00.000Z'); // Phoenix, no DST
    expect(hourIn('cet')).toBe('2026-02-08T23:00:00.000Z');
    expect(hourIn('it')).toBe('2026-02-08T18:30:00.000Z'); // Kolkata
    expect(hourIn('nzst')).toBe('2026-02-09T11:00:00.000Z'); // Auckland, summer time: already Tuesday there
    expect(hourIn('america/los_angeles')).toBe(hourIn('pt'));
    expect(hourIn('chile/easterisland')).toBe('2026-02-09T05:00:00.000Z');
  });
});

describe('policy options', () => {
  it('uses offhour 19, onhour 7 and et by default, Monday to Friday', () => {
    const defaults = custodian('');
    expect(edges(defaults, '2026-02-09T00:00:00Z', '2026-02-10T06:00:00Z')).toEqual(['2026-02-09T12:00:00.000Z running', '2026-02-10T00:00:00.000Z stopped']);
    expect(edges(custodian('on'), '2026-02-09T00:00:00Z', '2026-02-10T06:00:00Z')).toEqual(['2026-02-09T12:00:00.000Z running', '2026-02-10T00:00:00.000Z stopped']);
    expect(stateAt(defaults, '2026-02-14T18:00:00Z')).toBe('stopped');
  });

  it('weekends: false runs every day; weekends-only stops on Friday and starts on Monday', () => {
    expect(stateAt(custodian('', { weekends: false }), '2026-02-14T18:00:00Z')).toBe('running'); // Saturday 13:00 ET
    const weekendsOnly = custodian('', { 'weekends-only': true, default_tz: 'utc', offhour: 18, onhour: 6 });
    expect(edges(weekendsOnly, '2026-02-09T00:00:00Z', '2026-02-17T00:00:00Z')).toEqual(['2026-02-09T06:00:00.000Z running', '2026-02-13T18:00:00.000Z stopped', '2026-02-16T06:00:00.000Z running']);
  });

  it('opt-in (default): a resource without a tag is left alone; opt-out: it takes the defaults', () => {
    expect(custodian(null).stateAt(new Date('2026-02-09T15:00:00Z'))).toEqual({ state: 'any', reason: 'schedule c7n: custodian: the resource has no tag and the policy is opt-in' });
    expect(stateAt(custodian(null, { 'opt-out': true }), '2026-02-09T15:00:00Z')).toBe('running');
    expect(stateAt(custodian(null, { 'opt-out': true }), '2026-02-10T01:00:00Z')).toBe('stopped');
  });

  it('`off` opts the resource out in either mode: left alone', () => {
    for (const policy of [{}, { 'opt-out': true }]) {
      const optedOut = custodian('off', policy);
      expect(optedOut.stateAt(new Date('2026-02-09T15:00:00Z'))).toEqual({ state: 'any', reason: 'schedule c7n: custodian: the tag opts the resource out ("off")' });
      expect(optedOut.nextTransition(new Date('2026-02-09T15:00:00Z'))).toBeNull();
    }
  });

  it('skip-days: neither edge fires on those local dates', () => {
    const office = custodian('off=(m-f,19);on=(m-f,7);tz=utc', { 'skip-days': ['2026-02-09', '2026-02-11..2026-02-12'] });
    expect(edges(office, '2026-02-08T00:00:00Z', '2026-02-14T00:00:00Z')).toEqual([
      '2026-02-10T07:00:00.000Z running', // Monday is skipped: Friday's off holds until Tuesday's on
      '2026-02-10T19:00:00.000Z stopped',
      '2026-02-13T07:00:00.000Z running', // Wednesday and Thursday are skipped
      '2026-02-13T19:00:00.000Z stopped',
    ]);
  });
});

describe('invalid tags and policies are config errors', () => {
  it.each([
    ['zebra=blue', 'unknown key "zebra"'],
    ['off=(m-f,19);pz=est', 'unknown key "pz"'],
    ['off=(m-t-f,12);on=(m-f,7);tz=et', 'days "m-t-f"'],
    ['off=(x-f,10);on=(m-f,7);tz=et', 'days "x-f"'],
    ['off=(m-f,a);on=(m-f,7);tz=et', 'hour "a"'],
    ['off=(m-f,99);on=(m-f,7);tz=pt', 'hour 99 is not 0-23'],
    ['off=(m-f,);on=(m-f,7)', 'hour ""'],
    ['off=();on=(m-f,7)', 'each entry is (days,hour)'],
    ['off=(m-f, 19);on=(m-f,7)', 'hour " 19"'],
    ['off=(m-f,19) tz=pt', 'is not key=value'],
    ['off=(m-f,19);tz=evt', 'unknown timezone "evt"'],
    ['tz=abc', 'unknown timezone "abc"'],
  ])('%j: %s', (tag, message) => {
    const error = scheduleError(() => custodian(tag));
    expect(error.path).toEqual(['custodian']);
    expect(error.message).toContain(`invalid custodian tag "${tag}"`);
    expect(error.message).toContain(message);
  });

  it('names bad policy options', () => {
    expect(scheduleError(() => custodian('', { default_tz: 'mars' })).path).toEqual(['default_tz']);
    expect(scheduleError(() => custodian('', { 'skip-days': ['2026-02-30'] })).path).toEqual(['skip-days', 0]);
  });
});

describe('DST', () => {
  it('an edge hour the clock skips happens at the first instant after it; a repeated hour fires once', () => {
    // New York: 2026-03-08 (a Sunday) 02:00 -> 03:00 EDT at 07:00Z; 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z
    const ny = custodian('off=(u,2);on=(u,5);tz=et');
    expect(edges(ny, '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual(['2026-03-08T07:00:00.000Z stopped', '2026-03-08T09:00:00.000Z running']);
    const fall = custodian('off=(u,1);on=(u,4);tz=et');
    expect(edges(fall, '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual(['2026-11-01T05:00:00.000Z stopped', '2026-11-01T09:00:00.000Z running']);
  });

  it('in Europe (cet) and Australia (aet)', () => {
    // Berlin 2026-03-29 02:00 -> 03:00 at 01:00Z; Sydney 2026-10-04 02:00 -> 03:00 at 16:00Z on the 3rd
    expect(edges(custodian('off=(u,2);on=(u,6);tz=cet'), '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z')).toEqual(['2026-03-29T01:00:00.000Z stopped', '2026-03-29T04:00:00.000Z running']);
    expect(edges(custodian('off=(u,2);on=(u,6);tz=aet'), '2026-10-03T12:00:00Z', '2026-10-04T12:00:00Z')).toEqual(['2026-10-03T16:00:00.000Z stopped', '2026-10-03T19:00:00.000Z running']);
  });
});
