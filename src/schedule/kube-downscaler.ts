import { anyOfSchedules } from './combined-schedule.ts';
import type { CompiledSchedule, ScheduleState } from './compiled-schedule.ts';
import { weeklyWindow, type PeriodWindow } from './period-window.ts';
import { periodsModel } from './periods-model.ts';
import { ScheduleError, type DowntimeScheduleSpec, type UptimeScheduleSpec } from './schedule-spec.ts';
import { constantSchedule, wallSchedule, type WallModel } from './wall-schedule.ts';
import { wallSpans, type WallSpan, type WallSpans } from './wall-spans.ts';
import { DAY_MS, canonicalTimezone, civilDay, daysInMonth, zonedTime, type WallTime } from './zoned-time.ts';

/**
 * kube-downscaler uptime and downtime values, pasted unchanged, read as GoKubeDownscaler reads them
 * (internal/pkg/values/timespan.go) where the Python and Go dialects differ:
 *
 *   Mon-Fri 07:30-20:30 Europe/Berlin     weekdays inclusive and wrapping (Sat-Sun, Fri-Mon), [from, to)
 *   Sat-Sun 20:00-06:00 UTC               from > to wraps past midnight: t >= 20:00 or t < 06:00, on the
 *                                         listed days by the local date of the instant (not Monday 03:00)
 *   Mon-Fri 00:00-24:00 CET               24:00 ends the day; 24:00-00:00 and 00:00-00:00 never match
 *   07:30-20:30                           days from the schedule's `weekframe`, zone from its `timezone`
 *                                         (or the config's); without a weekframe it is an error
 *   2026-12-24T00:00:00+01:00-2026-12-27T00:00:00+01:00   RFC3339 range, end exclusive (spaces allowed around -)
 *   from 2026-12-24T00:00:00Z, until 2027-01-01T00:00:00Z  t >= T, t < T (separator space, - or none)
 *   always, true, never, false            per part, case-insensitive
 *
 * Parts are separated by commas and ORed. Every part is parsed up front, so a bad part is a config
 * error even after a part that matches (the Python version never looks at it). A downtime is the
 * same grammar, read the other way: stopped while any part matches.
 *
 * Where offhours differs on purpose: in the repeated hour of a fall-back night, Go re-reads the
 * clock and may match a window a second time (a window ending 01:30 matches again from the second
 * 01:00); offhours keeps the project's DST rule and changes state once. Timezone names are
 * case-insensitive (Go's are case-sensitive on Linux); Go's `Local` (the host's zone) is refused.
 */
export function compileKubeDownscaler(
  name: string,
  spec: UptimeScheduleSpec | DowntimeScheduleSpec,
  defaults: { timezone: string },
  options: { bare?: boolean } = {},
): CompiledSchedule {
  const kind = 'uptime' in spec ? 'uptime' : 'downtime';
  const value = 'uptime' in spec ? spec.uptime : spec.downtime;
  const covered: ScheduleState = kind === 'uptime' ? 'running' : 'stopped';
  const timezone = spec.timezone ?? defaults.timezone;
  if (canonicalTimezone(timezone) === undefined) throw new ScheduleError(`unknown timezone "${timezone}"`, ['timezone']);
  const weekframe = spec.weekframe === undefined ? undefined : parseWeekframe(spec.weekframe);

  const parts = value.split(',').map((part) => part.trim());
  const byZone = new Map<string, PeriodWindow[]>();
  const spans: WallSpan[] = [];
  let always = false;
  parts.forEach((part, index) => {
    const fail = (why: string): never => {
      const which = parts.length > 1 ? `part ${index + 1} "${part}"` : `"${part}"`;
      const bare = options.bare ? `"${value}" is not a schedule name (names have no spaces, ":" or ","), so it is read as a kube-downscaler uptime: ` : '';
      throw new ScheduleError(`${bare}invalid ${kind} ${which}: ${why}`, options.bare ? [] : [kind]);
    };
    const text = `${kind} ${part}`;
    const lower = part.toLowerCase();
    if (lower === 'always' || lower === 'true') always = true;
    else if (lower === 'never' || lower === 'false') return;
    else if (/^(from|until)/.test(part)) spans.push(directionalSpan(part, text, fail));
    else if (ABSOLUTE.test(part)) spans.push(absoluteSpan(part, text, fail));
    else {
      const relative = relativeWindows(part, text, { weekframe, timezone }, fail);
      const windows = byZone.get(relative.zone) ?? [];
      byZone.set(relative.zone, [...windows, ...relative.windows]);
    }
  });

  const outside = `outside ${kind}`;
  if (always) return constantSchedule(name, timezone, covered, `${kind} always`);
  const schedules: CompiledSchedule[] = [];
  for (const [zone, windows] of byZone) {
    if (windows.length > 0) schedules.push(wallSchedule(name, zonedTime(zone), periodsModel(windows, { covered, outside })));
  }
  if (spans.length > 0) schedules.push(wallSchedule(name, zonedTime('UTC'), spansModel(wallSpans(spans), covered, outside)));
  if (schedules.length === 0) return constantSchedule(name, timezone, covered === 'running' ? 'stopped' : 'running', `${kind} never matches`);
  return schedules.length === 1 ? schedules[0]! : anyOfSchedules(name, timezone, schedules, covered);
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const RELATIVE = /^(?:([a-z]{3})-([a-z]{3})\s+)?(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})(?:\s+([a-z0-9/_+-]+))?$/i;
// GoKubeDownscaler's own classification of an absolute part; the timestamps are checked afterwards.
const GO_RFC3339 = String.raw`(.+Z|.+[+-]\d{2}:\d{2})`;
const ABSOLUTE = new RegExp(`^${GO_RFC3339} *- *${GO_RFC3339}$`);
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const EXPECTED =
  'expected e.g. "Mon-Fri 07:30-20:30 Europe/Berlin", "2026-12-24T00:00:00+01:00-2026-12-27T00:00:00+01:00", "from <RFC3339>", "until <RFC3339>", always or never';

type Fail = (why: string) => never;

function parseWeekframe(text: string): number[] {
  const match = /^([a-z]{3})-([a-z]{3})$/i.exec(text.trim());
  const days = match && dayRange(match[1]!, match[2]!);
  if (!days) throw new ScheduleError(`invalid weekframe "${text}": expected two 3-letter days, e.g. "Mon-Fri"`, ['weekframe']);
  return days;
}

/** The days of an inclusive, wrapping range of 3-letter names (0 = Monday), or undefined for an unknown name. */
function dayRange(from: string, to: string): number[] | undefined {
  const first = WEEKDAYS.indexOf(from.toLowerCase());
  const last = WEEKDAYS.indexOf(to.toLowerCase());
  if (first < 0 || last < 0) return undefined;
  const days: number[] = [];
  for (let day = first; ; day = (day + 1) % 7) {
    days.push(day);
    if (day === last) return days;
  }
}

function relativeWindows(
  part: string,
  text: string,
  defaults: { weekframe: number[] | undefined; timezone: string },
  fail: Fail,
): { zone: string; windows: PeriodWindow[] } {
  const match = RELATIVE.exec(part) ?? fail(EXPECTED);
  const [, fromDay, toDay, fromHour, fromMinute, toHour, toMinute, tz] = match;
  const days = fromDay && toDay ? (dayRange(fromDay, toDay) ?? fail(`unknown weekday in "${fromDay}-${toDay}" (expected Mon, Tue, Wed, Thu, Fri, Sat, Sun)`)) : defaults.weekframe;
  if (!days) fail('it names no weekdays and the schedule has no weekframe (add e.g. "Mon-Fri" to the part, or weekframe: Mon-Fri)');
  const minutes = (hour: string, minute: string): number => {
    if (Number(hour) > 24 || Number(minute) > 59) fail(`"${hour}:${minute}" is not a time of day (hours 0-24, minutes 0-59)`);
    return Number(hour) * 60 + Number(minute);
  };
  const from = minutes(fromHour!, fromMinute!);
  const to = minutes(toHour!, toMinute!);
  const zone = canonicalTimezone(tz ?? defaults.timezone);
  if (zone === undefined) fail(`unknown timezone "${tz}"`);

  // Minutes of the day run 0..1439, so anything past 24:00 is the end of the day.
  const end = Math.min(to, 1440);
  const windows: PeriodWindow[] = [];
  if (from <= to) {
    if (from < end) windows.push(weeklyWindow(text, days!, from, end));
  } else {
    if (end > 0) windows.push(weeklyWindow(text, days!, 0, end));
    if (from < 1440) windows.push(weeklyWindow(text, days!, from, 1440));
  }
  return { zone: zone!, windows };
}

/** An RFC3339 timestamp (as Go's time.RFC3339 parses it: fractions allowed, `Z` or an offset) in epoch ms. */
function parseTimestamp(text: string, fail: Fail): number {
  const match = TIMESTAMP.exec(text) ?? fail(`"${text}" is not an RFC3339 timestamp (e.g. 2026-12-24T00:00:00+01:00)`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const [offsetHours, offsetMinutes] = [Number(match[9] ?? 0), Number(match[10] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    fail(`"${text}" is not a real date and time`);
  }
  const fraction = Math.floor(Number(`0.${match[7] ?? '0'}`) * 1000);
  const offset = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return civilDay(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + fraction - offset;
}

function absoluteSpan(part: string, text: string, fail: Fail): WallSpan {
  const [, from, to] = ABSOLUTE.exec(part)!;
  return { text, start: parseTimestamp(from!.trim(), fail), end: parseTimestamp(to!.trim(), fail) };
}

function directionalSpan(part: string, text: string, fail: Fail): WallSpan {
  const [, direction, rest] = /^(from|until)[ -]?(.*)$/s.exec(part)!;
  const at = parseTimestamp(rest!.trim(), fail);
  return direction === 'from' ? { text, start: at, end: Infinity } : { text, start: -Infinity, end: at };
}

interface SpanState {
  state: ScheduleState;
  span: WallSpan | undefined;
}

/** Absolute parts in UTC, where wall time is the instant: covered while any span is. */
function spansModel(spans: WallSpans<WallSpan>, covered: ScheduleState, outside: string): WallModel<SpanState> {
  const uncovered: ScheduleState = covered === 'running' ? 'stopped' : 'running';
  const stateAt = (wall: WallTime): SpanState => {
    const span = spans.covering(wall)[0];
    return { state: span ? covered : uncovered, span };
  };
  return {
    stateAt,
    *edges(from, to) {
      for (let wall = spans.boundaryAfter(from); wall <= to; wall = spans.boundaryAfter(wall)) yield { wall, state: stateAt(wall) };
    },
    describe: (state) => (state.span ? `within ${state.span.text}` : outside),
    change(before, after, wall) {
      if (after.span) return after.span.start === wall ? `${after.span.text} began` : `within ${after.span.text}`;
      return before.span ? `${before.span.text} ended` : outside;
    },
  };
}
