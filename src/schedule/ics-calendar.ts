import { ScheduleError } from './schedule-spec.ts';
import type { WallSpan } from './wall-spans.ts';
import { DAY_MS, civilDate, civilDay, daysInMonth, instantOfLocal, isValidTimezone, type WallTime, type ZonedTime } from './zoned-time.ts';

/**
 * The events of an iCalendar file (RFC 5545) as stretches of wall time in a schedule's zone: what an
 * `except:` or `include:` entry naming a `.ics` file stands for.
 *
 * Read: VEVENTs with DTSTART and DTEND or DURATION, all-day (`VALUE=DATE`) or timed (UTC `...Z`,
 * `TZID=<IANA name>`, or floating, which is read in the schedule's zone); SUMMARY names the event in
 * reasons; STATUS:CANCELLED events are skipped. Recurrence: `RRULE:FREQ=YEARLY` with INTERVAL, COUNT,
 * UNTIL, BYMONTH, BYMONTHDAY and BYDAY (`4TH`, `-1MO`, needing BYMONTH), EXDATE, and RECURRENCE-ID
 * events that move one occurrence. Anything else that would change which days an event covers (other
 * frequencies, RDATE, BYSETPOS, Windows TZIDs) is refused by name rather than guessed at. Rules
 * without an end are expanded through LAST_YEAR.
 */
export const LAST_YEAR = 2199;

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
  line: number;
}

/** A DATE or DATE-TIME value: the civil fields and how to place them in time. */
interface IcsTime {
  year: number;
  month: number;
  day: number;
  /** seconds after local midnight; undefined for an all-day DATE */
  seconds: number | undefined;
  /** `utc`, an IANA zone, or undefined for floating time (read in the schedule's zone) */
  zone: string | undefined;
}

interface YearlyRule {
  interval: number;
  count: number | undefined;
  /** last civil day (days since 1970-01-01) an occurrence may start on */
  untilDay: number | undefined;
  months: number[] | undefined;
  monthDays: number[] | undefined;
  /** weekday 0 = Monday, with an ordinal (1..5, -1..-5) or 0 for every such weekday of the month */
  byDay: { weekday: number; ordinal: number }[] | undefined;
}

export interface CalendarSpan extends WallSpan {
  readonly summary: string;
}

/**
 * Parses `text` (the content of `file`) into spans of wall time in `zone`. Throws a ScheduleError at
 * `path` naming the file, the line and what is wrong.
 */
export function parseIcsCalendar(text: string, zone: ZonedTime, file: string, path: (string | number)[] = []): CalendarSpan[] {
  const fail = (why: string, line?: number): never => {
    throw new ScheduleError(`invalid calendar "${file}"${line ? ` (line ${line})` : ''}: ${why}`, path);
  };
  const properties = unfold(text);
  if (!properties.some((p) => p.name === 'BEGIN' && p.value.toUpperCase() === 'VCALENDAR')) fail('not an iCalendar file (no BEGIN:VCALENDAR)');

  const events: Property[][] = [];
  const stack: string[] = [];
  for (const property of properties) {
    if (property.name === 'BEGIN') {
      stack.push(property.value.toUpperCase());
      if (property.value.toUpperCase() === 'VEVENT') events.push([]);
    } else if (property.name === 'END') {
      if (stack.pop() !== property.value.toUpperCase()) fail(`END:${property.value} does not close the open component`, property.line);
    } else if (stack.at(-1) === 'VEVENT') events.at(-1)!.push(property);
  }

  // RECURRENCE-ID events replace one occurrence of their master: the master skips that day.
  const moved = new Map<string, Set<number>>();
  for (const event of events) {
    const id = one(event, 'RECURRENCE-ID');
    const uid = one(event, 'UID')?.value;
    if (id && uid) {
      const day = dayOf(parseTime(id, fail));
      moved.set(uid, (moved.get(uid) ?? new Set()).add(day));
    }
  }

  const spans: CalendarSpan[] = [];
  for (const event of events) {
    if (one(event, 'STATUS')?.value.toUpperCase() === 'CANCELLED') continue;
    const startProperty = one(event, 'DTSTART') ?? fail('a VEVENT has no DTSTART', event[0]?.line);
    for (const name of ['RDATE', 'EXRULE']) {
      const unsupported = one(event, name);
      if (unsupported) fail(`${name} is not supported (use RRULE:FREQ=YEARLY or one VEVENT per date)`, unsupported.line);
    }
    const start = parseTime(startProperty, fail);
    const endProperty = one(event, 'DTEND');
    const durationProperty = one(event, 'DURATION');
    const summary = unescapeText(one(event, 'SUMMARY')?.value ?? 'event');

    const place = placer(start, zone, fail, startProperty.line);
    const length = endProperty
      ? place.lengthTo(parseTime(endProperty, fail))
      : durationProperty
        ? parseDuration(durationProperty, fail)
        : start.seconds === undefined
          ? DAY_MS
          : 0;

    const ruleProperty = one(event, 'RRULE');
    const days = ruleProperty ? expandYearly(start, parseRule(ruleProperty, fail), ruleProperty, fail) : [dayOf(start)];
    const excluded = new Set<number>(moved.get(one(event, 'UID')?.value ?? '') ?? []);
    if (one(event, 'RECURRENCE-ID')) excluded.clear();
    for (const exdate of event.filter((p) => p.name === 'EXDATE')) {
      for (const value of exdate.value.split(',')) excluded.add(dayOf(parseTime({ ...exdate, value }, fail)));
    }
    for (const day of days) {
      if (excluded.has(day)) continue;
      const from = place.at(day);
      const date = civilDate(day);
      const label = `${date.year}-${pad(date.month)}-${pad(date.day)}${start.seconds === undefined ? '' : ` ${clock(start.seconds)}`}`;
      spans.push({ text: `${file}: ${summary} ${label}`, summary, start: from, end: from + length });
    }
  }
  return spans;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function clock(seconds: number): string {
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}`;
}

/** Content lines with folding undone (RFC 5545 3.1), split into name, parameters and value. */
function unfold(text: string): Property[] {
  const properties: Property[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const number = i + 1;
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1]!)) line += lines[++i]!.slice(1);
    if (!line.trim()) continue;
    // The value starts at the first ':' outside a quoted parameter value.
    let colon = -1;
    for (let j = 0, quoted = false; j < line.length; j++) {
      if (line[j] === '"') quoted = !quoted;
      else if (line[j] === ':' && !quoted) {
        colon = j;
        break;
      }
    }
    if (colon < 0) continue;
    const [name = '', ...rawParams] = line.slice(0, colon).split(';');
    const params: Record<string, string> = {};
    for (const param of rawParams) {
      const eq = param.indexOf('=');
      if (eq > 0) params[param.slice(0, eq).toUpperCase()] = param.slice(eq + 1).replace(/^"|"$/g, '');
    }
    properties.push({ name: name.toUpperCase(), params, value: line.slice(colon + 1).trim(), line: number });
  }
  return properties;
}

function one(event: Property[], name: string): Property | undefined {
  return event.find((property) => property.name === name);
}

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, char: string) => (char === 'n' || char === 'N' ? ' ' : char));
}

function parseTime(property: Property, fail: (why: string, line?: number) => never): IcsTime {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(property.value);
  if (!match) return fail(`${property.name} "${property.value}" is not a DATE (20261225) or DATE-TIME (20261225T090000[Z])`, property.line);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) fail(`${property.name} "${property.value}" is not a real date`, property.line);
  if (match[4] === undefined) return { year, month, day, seconds: undefined, zone: undefined };
  const [hour, minute, second] = [Number(match[4]), Number(match[5]), Number(match[6])];
  if (hour > 23 || minute > 59 || second > 60) fail(`${property.name} "${property.value}" is not a real time`, property.line);
  const tzid = property.params.TZID;
  if (!match[7] && tzid !== undefined && !isValidTimezone(tzid)) {
    fail(`TZID "${tzid}" is not an IANA timezone (VTIMEZONE definitions are not read; use e.g. Europe/Berlin)`, property.line);
  }
  return { year, month, day, seconds: hour * 3600 + minute * 60 + Math.min(second, 59), zone: match[7] ? 'UTC' : tzid };
}

function dayOf(time: IcsTime): number {
  return civilDay(time.year, time.month, time.day);
}

/**
 * Where an occurrence of the event starts in the schedule's wall time, and how long it lasts. An
 * occurrence keeps the event's time of day in the event's own zone: a 09:00 Europe/Berlin meeting
 * stays at 09:00 Berlin time on every date it recurs.
 */
function placer(start: IcsTime, zone: ZonedTime, fail: (why: string, line?: number) => never, line: number) {
  const seconds = start.seconds;
  const instantOn = (day: number, time: number): number => {
    const { year, month, day: dayOfMonth } = civilDate(day);
    return instantOfLocal({ year, month, day: dayOfMonth, second: time }, start.zone!).getTime();
  };
  const at = (day: number): WallTime => {
    if (seconds === undefined) return day * DAY_MS;
    if (start.zone === undefined) return day * DAY_MS + seconds * 1000;
    return zone.wallOf(instantOn(day, seconds));
  };
  return {
    at,
    lengthTo(end: IcsTime): number {
      if ((end.seconds === undefined) !== (seconds === undefined)) fail('DTSTART and DTEND must both be dates or both date-times', line);
      if (seconds === undefined || start.zone === undefined || end.zone === undefined) {
        if (start.zone !== end.zone) fail('DTSTART and DTEND must use the same kind of time (both UTC, both floating or both with a TZID)', line);
        const length = (dayOf(end) - dayOf(start)) * DAY_MS + ((end.seconds ?? 0) - (seconds ?? 0)) * 1000;
        return length > 0 ? length : fail('DTEND is not after DTSTART', line);
      }
      const from = instantOn(dayOf(start), seconds);
      const to = end.zone === start.zone ? instantOn(dayOf(end), end.seconds!) : instantOfLocal({ ...end, second: end.seconds! }, end.zone).getTime();
      // The length in the schedule's wall time, so an occurrence that spans a DST change still ends when the event does.
      const length = zone.wallOf(to) - zone.wallOf(from);
      return length > 0 ? length : fail('DTEND is not after DTSTART', line);
    },
  };
}

function parseDuration(property: Property, fail: (why: string, line?: number) => never): number {
  const match = /^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(property.value);
  if (!match || property.value === 'P' || property.value.endsWith('T')) return fail(`DURATION "${property.value}" is not a duration (e.g. P1D, PT2H)`, property.line);
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return (weeks * 7 + days) * DAY_MS + ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

function parseRule(property: Property, fail: (why: string, line?: number) => never): YearlyRule {
  const parts = new Map<string, string>();
  for (const part of property.value.split(';')) {
    const [key = '', value = ''] = part.split('=');
    parts.set(key.toUpperCase(), value.toUpperCase());
  }
  const unsupported = (why: string): never => fail(`RRULE "${property.value}": ${why}`, property.line);
  if (parts.get('FREQ') !== 'YEARLY') unsupported('only FREQ=YEARLY is supported (holidays recur yearly)');
  for (const key of parts.keys()) {
    if (!['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'BYMONTH', 'BYMONTHDAY', 'BYDAY', 'WKST'].includes(key)) unsupported(`${key} is not supported`);
  }
  const numbers = (key: string, min: number, max: number): number[] | undefined => {
    const text = parts.get(key);
    if (text === undefined) return undefined;
    return text.split(',').map((item) => {
      const value = /^-?\d+$/.test(item) ? Number(item) : NaN;
      return Math.abs(value) >= min && Math.abs(value) <= max ? value : unsupported(`${key} value "${item}" is out of range`);
    });
  };
  const byDay = parts.get('BYDAY')?.split(',').map((item) => {
    const match = /^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    const ordinal = match?.[1] === undefined ? 0 : Number(match[1]);
    return match && Math.abs(ordinal) <= 5 ? { weekday: WEEKDAYS.indexOf(match[2]!), ordinal } : unsupported(`BYDAY "${item}" is not a weekday (e.g. MO, 4TH, -1MO)`);
  });
  const months = numbers('BYMONTH', 1, 12);
  if (byDay && !months) unsupported('BYDAY in a yearly rule needs BYMONTH');
  if (months?.some((month) => month < 0)) unsupported('BYMONTH cannot be negative');
  const until = parts.get('UNTIL');
  let untilDay: number | undefined;
  if (until !== undefined) untilDay = dayOf(parseTime({ ...property, name: 'UNTIL', value: until }, fail));
  const [interval = 1] = numbers('INTERVAL', 1, 1000) ?? [];
  const [count] = numbers('COUNT', 1, 100_000) ?? [];
  return { interval, count, untilDay, months, monthDays: numbers('BYMONTHDAY', 1, 31), byDay };
}

/** The civil days a yearly rule starts an occurrence on, from DTSTART's day on. */
function expandYearly(start: IcsTime, rule: YearlyRule, property: Property, fail: (why: string, line?: number) => never): number[] {
  const first = dayOf(start);
  const days: number[] = [];
  for (let year = start.year; year <= LAST_YEAR; year += rule.interval) {
    const inYear: number[] = [];
    for (const month of rule.months ?? [start.month]) {
      const length = daysInMonth(year, month);
      let candidates: number[];
      if (rule.byDay) {
        candidates = [];
        for (const { weekday, ordinal } of rule.byDay) {
          const matching: number[] = [];
          for (let day = 1; day <= length; day++) if (civilDate(civilDay(year, month, day)).weekday === weekday) matching.push(day);
          const picked = ordinal === 0 ? matching : [matching.at(ordinal > 0 ? ordinal - 1 : ordinal)];
          for (const day of picked) if (day !== undefined) candidates.push(day);
        }
        if (rule.monthDays) {
          const allowed = new Set(rule.monthDays.map((day) => (day > 0 ? day : length + day + 1)));
          candidates = candidates.filter((day) => allowed.has(day));
        }
      } else if (rule.monthDays) {
        candidates = rule.monthDays.map((day) => (day > 0 ? day : length + day + 1));
      } else {
        candidates = [start.day];
      }
      for (const day of candidates) if (day >= 1 && day <= length) inYear.push(civilDay(year, month, day));
    }
    for (const day of [...new Set(inYear)].sort((a, b) => a - b)) {
      if (day < first) continue;
      if (rule.untilDay !== undefined && day > rule.untilDay) return days;
      days.push(day);
      if (rule.count !== undefined && days.length >= rule.count) return days;
    }
  }
  if (days.length === 0) fail(`RRULE "${property.value}" never occurs`, property.line);
  return days;
}
