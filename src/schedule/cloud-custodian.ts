import { parseDateRange } from './except-dates.ts';
import { ScheduleError, type CustodianScheduleSpec } from './schedule-spec.ts';
import { constantModel, type WallModel, type WallState } from './wall-schedule.ts';
import { DAY_MS, canonicalTimezone, civilDate, zonedTime, type WallTime, type ZonedTime } from './zoned-time.ts';

/**
 * Cloud Custodian offhours tags (c7n/filters/offhours.py), read as Custodian reads them and turned
 * from edges into a state. Custodian's offhour/onhour filters fire during one local hour
 * (`off=(M-F,19)`: any Monday-Friday 19:xx); offhours takes each as an edge at HH:00 local time and
 * keeps the state of the last edge: stopped from the last off edge until the next on edge. An off and
 * an on in the same hour: stop wins. No edge within a year (both halves `disabled`): `any`.
 *
 * The tag value is lower-cased, GCP/ElasticBeanstalk escapes (`u28` for `(`, `u3b` for `;`, ...)
 * undone, surrounding quotes dropped, empty `;` pieces ignored. Then:
 *   off                  the resource opted out: Custodian never matches it, so `any` (left alone)
 *   "" or on             the policy defaults (offhour, onhour, weekends, weekends-only, default_tz)
 *   null (no tag)        `any` in opt-in mode (Custodian's default), the policy defaults with opt-out
 *   off=...;on=...;tz=.. `(days,hour)` or `[(days,hour),...]`, days m t w h f s u or a wrapping range
 *                        (s-m); a missing half takes the policy default with the tag's tz;
 *                        `off=disabled` / `on=disabled` never fire
 * A tag Custodian would reject (unknown key, bad hour, bad days, unknown tz) is not matched and
 * logged by Custodian; in offhours it is a config error, so a typo never silently leaves a resource on.
 * `skip-days` (dates, or ranges a..b) suppresses both edges on those local dates. Where offhours differs on purpose: an edge
 * hour that a spring-forward night skips (02 in most of Europe and America) happens at 03:00; Custodian
 * never sees that hour, and skips the edge.
 */
export function compileCustodian(spec: CustodianScheduleSpec): { zone: ZonedTime; model: WallModel<WallState> } {
  const defaultTz = spec.default_tz ?? 'et';
  const defaultZone = resolveTz(defaultTz) ?? fail(`unknown default_tz "${defaultTz}" (a Custodian alias such as et, pt, cet, or an IANA name)`, ['default_tz']);
  const skipDays = new Set<number>();
  (spec['skip-days'] ?? []).forEach((entry, index) => {
    const range = parseDateRange(entry, ['skip-days', index], 'skip-days');
    for (let day = range.first; day <= range.last; day++) skipDays.add(day);
  });

  const tag = spec.custodian === null ? undefined : tagValue(spec.custodian);
  if (tag === undefined && !spec['opt-out']) {
    return { zone: zonedTime(defaultZone), model: constantModel('any', 'custodian: the resource has no tag and the policy is opt-in') };
  }
  if (tag === 'off') return { zone: zonedTime(defaultZone), model: constantModel('any', 'custodian: the tag opts the resource out ("off")') };

  const defaults = (type: EdgeType): Entry[] => {
    const hour = type === 'off' ? (spec.offhour ?? 19) : (spec.onhour ?? 7);
    const [days, text] = spec['weekends-only'] ? (type === 'off' ? [[4], 'f'] : [[0], 'm']) : spec.weekends === false ? [ALL_DAYS, 'm-u'] : [WORKDAYS, 'm-f'];
    return [{ type, days, hour, text: `${type}hour ${hour} (${text}, policy default)` }];
  };
  const parsed = parseTag(tag ?? '', defaults, (why) => fail(`invalid custodian tag "${spec.custodian}": ${why}`, ['custodian']));
  const tz = parsed.tz || defaultTz;
  const timezone = resolveTz(tz) ?? fail(`invalid custodian tag "${spec.custodian}": unknown timezone "${tz}" (a Custodian alias such as pt, et, cet, or an IANA name)`, ['custodian']);
  const entries = [...parsed.off, ...parsed.on];
  if (entries.length === 0) return { zone: zonedTime(timezone), model: constantModel('any', 'custodian: both offhour and onhour are disabled') };
  return { zone: zonedTime(timezone), model: edgesModel(entries, skipDays) };
}

type EdgeType = 'off' | 'on';

interface Entry {
  type: EdgeType;
  /** 0 = Monday */
  days: readonly number[];
  hour: number;
  /** names the entry in reasons: `offhour (m-f,19)` */
  text: string;
}

const DAY_MAP: Record<string, number> = { m: 0, t: 1, w: 2, h: 3, f: 4, s: 5, u: 6 };
const WORKDAYS = [0, 1, 2, 3, 4];
const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const TZ_ALIASES: Record<string, string> = {
  pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles', pst: 'America/Los_Angeles',
  ast: 'America/Phoenix', at: 'America/Phoenix',
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago',
  mst: 'America/Denver', mdt: 'America/Denver', mt: 'America/Denver',
  gmt: 'Etc/GMT', gt: 'Etc/GMT', bst: 'Europe/London', ist: 'Europe/Dublin', cet: 'Europe/Berlin',
  it: 'Asia/Kolkata', jst: 'Asia/Tokyo', kst: 'Asia/Seoul', sgt: 'Asia/Singapore', aet: 'Australia/Sydney',
  brt: 'America/Sao_Paulo', nzst: 'Pacific/Auckland', utc: 'Etc/UTC',
};
const ESCAPES: [string, string][] = [['u28', '('], ['u29', ')'], ['u5b', '['], ['u5d', ']'], ['u2c', ','], ['u3b', ';'], ['u3d', '='], ['u2f', '/'], ['u2d', '-']];

function fail(message: string, path: (string | number)[]): never {
  throw new ScheduleError(message, path);
}

/** Custodian's aliases first, then any IANA name, case-insensitively (dateutil's gettz with its title-case fallbacks). */
function resolveTz(tz: string): string | undefined {
  const alias = TZ_ALIASES[tz.toLowerCase()];
  return alias ?? (tz ? canonicalTimezone(tz) : undefined);
}

/** The tag value as Custodian normalises it before parsing. */
function tagValue(raw: string): string {
  let value = raw.toLowerCase();
  for (const [code, char] of ESCAPES) value = value.replaceAll(code, char);
  return value.replace(/^'+|'+$/g, '').replace(/^"+|"+$/g, '');
}

/** `key=value` pieces split on spaces and `;`, others ignored: what Custodian checks keys against. */
function rawData(tag: string): Map<string, string> {
  const data = new Map<string, string>();
  for (const piece of tag.split(' ').flatMap((part) => part.split(';'))) {
    const kv = piece.split('=');
    if (kv.length === 2) data.set(kv[0]!, kv[1]!);
  }
  return data;
}

/**
 * Both halves of a tag, each as Custodian's filter of that type reads it: its own entries when the
 * tag has the key, the policy default otherwise; `tz` is the tag's (blank: the policy default).
 */
function parseTag(rawTag: string, defaults: (type: EdgeType) => Entry[], invalid: (why: string) => never): { off: Entry[]; on: Entry[]; tz: string } {
  const tag = rawTag.split(';').filter(Boolean).join(';');
  const raw = rawData(tag);
  for (const key of raw.keys()) if (key !== 'on' && key !== 'off' && key !== 'tz') invalid(`unknown key "${key}" (Custodian reads on, off and tz)`);
  const result = { off: defaults('off'), on: defaults('on'), tz: raw.get('tz') ?? '' };
  if (!raw.has('off') && !raw.has('on')) return result;

  for (const piece of tag.split(';')) {
    const kv = piece.split('=');
    if (kv.length !== 2) invalid(`"${piece}" is not key=value (pieces are separated by ";")`);
    const [key, value] = kv as [string, string];
    if (key === 'tz') result.tz = value;
    else if (value === 'disabled') result[key as EdgeType] = [];
    else result[key as EdgeType] = parseEntries(key as EdgeType, value, invalid);
  }
  return result;
}

/** `(m-f,19)`, `[(m-f,21),(u,18)]` or `[m-f,19]`, taken apart as Custodian does. */
function parseEntries(type: EdgeType, lexeme: string, invalid: (why: string) => never): Entry[] {
  return lexeme
    .replace(/[[\]]/g, '')
    .split(',(')
    .map((expression) => {
      const tokens = expression.replace(/[()]/g, '').split(',');
      if (tokens.length !== 2) invalid(`${type} "${lexeme}": each entry is (days,hour)`);
      const [daysText, hourText] = tokens as [string, string];
      if (!/^\d+$/.test(hourText)) invalid(`${type} "${lexeme}": hour "${hourText}" is not a number 0-23`);
      const hour = Number(hourText);
      if (hour > 23) invalid(`${type} "${lexeme}": hour ${hour} is not 0-23`);
      const days = expandDays(daysText) ?? invalid(`${type} "${lexeme}": days "${daysText}" are not m, t, w, h, f, s, u or a range such as m-f`);
      return { type, days, hour, text: `${type}hour (${daysText},${hour})` };
    });
}

function expandDays(text: string): number[] | undefined {
  if (Object.hasOwn(DAY_MAP, text)) return [DAY_MAP[text]!];
  // Custodian drops unknown letters before counting the ends of a range, so "m-x-f" is m-f.
  const ends = text.split('-').flatMap((part) => (Object.hasOwn(DAY_MAP, part) ? [DAY_MAP[part]!] : []));
  if (ends.length !== 2) return undefined;
  const [first, last] = ends as [number, number];
  const days: number[] = [];
  if (first > last) {
    for (let day = first; day < 7; day++) days.push(day);
    for (let day = 0; day <= last; day++) days.push(day);
  } else for (let day = first; day <= last; day++) days.push(day);
  return days;
}

interface EdgeState extends WallState {
  readonly fired: { entry: Entry; wall: WallTime } | undefined;
}

const HOUR_MS = 3_600_000;

/** Hourly edges on a weekly grid: the state of the last one that fired, skip days aside. */
function edgesModel(entries: readonly Entry[], skipDays: ReadonlySet<number>): WallModel<EdgeState> {
  // grid[weekday][hour]: the entry that fires then; an off beats an on in the same hour
  const grid: (Entry | undefined)[][] = Array.from({ length: 7 }, () => Array<Entry | undefined>(24).fill(undefined));
  for (const entry of entries) {
    for (const day of entry.days) {
      const current = grid[day]![entry.hour];
      if (!current || (current.type === 'on' && entry.type === 'off')) grid[day]![entry.hour] = entry;
    }
  }
  const stateOf = (entry: Entry, wall: WallTime): EdgeState => ({ state: entry.type === 'off' ? 'stopped' : 'running', fired: { entry, wall } });
  const none: EdgeState = { state: 'any', fired: undefined };

  return {
    stateAt(wall) {
      const today = Math.floor(wall / DAY_MS);
      for (let day = today; day > today - 366; day--) {
        if (skipDays.has(day)) continue;
        const hours = grid[civilDate(day).weekday]!;
        for (let hour = day === today ? Math.floor((wall - day * DAY_MS) / HOUR_MS) : 23; hour >= 0; hour--) {
          if (hours[hour]) return stateOf(hours[hour]!, day * DAY_MS + hour * HOUR_MS);
        }
      }
      return none;
    },
    *edges(from, to) {
      for (let day = Math.floor(from / DAY_MS); day * DAY_MS <= to; day++) {
        if (skipDays.has(day)) continue;
        const hours = grid[civilDate(day).weekday]!;
        for (let hour = 0; hour < 24; hour++) {
          const wall = day * DAY_MS + hour * HOUR_MS;
          if (hours[hour] && wall > from && wall <= to) yield { wall, state: stateOf(hours[hour]!, wall) };
        }
      }
    },
    describe: (state) => (state.fired ? `custodian ${state.fired.entry.text} fired` : 'custodian: no offhour or onhour has fired within a year'),
    change: (_before, after) => (after.fired ? `custodian ${after.fired.entry.text} fired` : 'custodian: nothing fires'),
  };
}
