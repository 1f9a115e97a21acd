import { describe, expect, it } from 'vitest';
import { evaluateSchedule } from '../../src/schedule/evaluate-schedule.ts';
import { ScheduleError } from '../../src/schedule/schedule-spec.ts';

const defaults = { timezone: 'UTC' };

function scheduleError(spec: unknown): ScheduleError {
  try {
    evaluateSchedule(spec, new Date('2026-03-02T10:00:00Z'), defaults);
  } catch (error) {
    if (error instanceof ScheduleError) return error;
    throw error;
  }
  throw new Error('no ScheduleError');
}

describe('evaluateSchedule', () => {
  it('evaluates a periods object: state, reason, since and next', () => {
    const result = evaluateSchedule(
      { timezone: 'Europe/Berlin', running: ['Mon-Fri 08:00-19:00'] },
      new Date('2026-03-02T10:00:00Z'),
      { timezone: 'UTC', name: 'office' },
    );
    expect(result).toEqual({
      state: 'running',
      reason: 'schedule office: within Mon-Fri 08:00-19:00',
      since: '2026-03-02T07:00:00.000Z',
      next: { at: '2026-03-02T18:00:00.000Z', state: 'stopped', reason: 'schedule office: Mon-Fri 08:00-19:00 ended' },
    });
  });

  it('accepts the same as a JSON string, and names the schedule "eval" by default', () => {
    const result = evaluateSchedule(
      '{"cron": {"start": "0 8 * * 1-5", "stop": "0 19 * * 1-5"}, "timezone": "Europe/Paris"}',
      new Date('2026-03-07T10:00:00Z'),
      defaults,
    );
    expect(result).toEqual({
      state: 'stopped',
      reason: 'schedule eval: cron stop "0 19 * * 1-5" fired',
      since: '2026-03-06T18:00:00.000Z',
      next: { at: '2026-03-09T07:00:00.000Z', state: 'running', reason: 'schedule eval: cron start "0 8 * * 1-5" fired' },
    });
  });

  it('uses the default timezone for a schedule that names none', () => {
    const at = new Date('2026-03-02T07:30:00Z');
    expect(evaluateSchedule({ running: ['daily 08:00-09:00'] }, at, { timezone: 'UTC' }).state).toBe('stopped');
    expect(evaluateSchedule({ running: ['daily 08:00-09:00'] }, at, { timezone: 'Europe/Berlin' }).state).toBe('running');
  });

  it('evaluates always and never, bare or as JSON', () => {
    expect(evaluateSchedule('always', new Date('2026-03-02T10:00:00Z'), defaults)).toEqual({
      state: 'running',
      reason: 'schedule eval: always running',
      since: null,
      next: null,
    });
    expect(evaluateSchedule('"never"', new Date('2026-03-02T10:00:00Z'), defaults).state).toBe('stopped');
  });

  it.each([
    [{ running: ['Mon-Fri 8-19'] }, ['running', 0], 'invalid window "Mon-Fri 8-19": expected HH:MM-HH:MM after the days'],
    [{ running: ['Mon-Fri 08:00-19:00'], timezone: 'Europe/Berln' }, ['timezone'], 'unknown timezone "Europe/Berln"'],
    [{ cron: { start: '0 8 * * *' } }, ['cron', 'stop'], ''],
    [{ cron: { start: '0 8 * *', stop: '0 19 * * *' } }, ['cron', 'start'], 'invalid cron start "0 8 * *"'],
    [{ running: 'Mon-Fri 08:00-19:00' }, ['running'], ''],
    [{ running: [] }, ['running'], ''],
    [{ running: ['daily 08:00-09:00'], except: ['2026-02-30'] }, ['except', 0], 'invalid except date "2026-02-30"'],
    [{ running: ['daily 08:00-09:00'], extra: 1 }, [], 'extra'],
    [{ hours: 'office' }, [], 'expected "always", "never", {running: [...]} or {cron: {start, stop}}'],
    [42, [], 'expected "always", "never"'],
    ['sometimes', [], 'expected "always", "never", {running: [...]} or {cron: {start, stop}} as JSON, not "sometimes"'],
  ])('rejects %j with a ScheduleError at its path', (spec, path, message) => {
    const error = scheduleError(spec);
    expect(error.path).toEqual(path);
    expect(error.message).toContain(message);
  });

  it('rejects an invalid instant', () => {
    expect(() => evaluateSchedule('always', new Date('nope'), defaults)).toThrow(ScheduleError);
  });
});

describe('evaluateSchedule with the peer forms', () => {
  const at = new Date('2026-03-02T08:00:00Z'); // a Monday

  it('reports `any` with its reason, since and next', () => {
    expect(evaluateSchedule({ periods: [{ begintime: '09:00', weekdays: 'mon-fri' }] }, at, defaults)).toEqual({
      state: 'any',
      reason: 'schedule eval: period from 09:00 weekdays mon-fri has only a begin time, not reached yet: the state is left alone',
      since: '2026-03-02T00:00:00.000Z',
      next: { at: '2026-03-02T09:00:00.000Z', state: 'running', reason: 'schedule eval: period from 09:00 weekdays mon-fri began' },
    });
  });

  it('reads a string that is not JSON as a kube-downscaler uptime, and each object form by its key', () => {
    expect(evaluateSchedule('Mon-Fri 07:30-20:30 Europe/Berlin', at, defaults).state).toBe('running');
    expect(evaluateSchedule('{"downtime": "Mon-Fri 07:30-20:30 Europe/Berlin"}', at, defaults).state).toBe('stopped');
    expect(evaluateSchedule({ custodian: 'off=(m-f,19);on=(m-f,7);tz=utc' }, at, defaults).state).toBe('running');
    expect(scheduleError({ custodian: 'on', offhour: 25 }).path).toEqual(['offhour']);
    expect(scheduleError({ periods: [{ begintime: '09:00', weekday: 'mon' }] }).path).toEqual(['periods', 0]);
    expect(scheduleError({ uptime: 'always', downtime: 'never' }).message).toContain('downtime');
  });
});
