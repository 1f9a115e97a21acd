/**
 * IANA time zones on Intl alone. Schedules reason in *wall time*: a local date and time encoded as
 * milliseconds on an axis without DST, where every day is 86_400_000 ms long (so day and weekday
 * arithmetic is plain integer maths). Crossing between wall time and instants happens only here,
 * with the project's DST rule: a wall time inside a skipped hour maps to the first valid instant
 * after it (02:30 on a spring-forward day in Europe/Berlin -> 03:00 local), a wall time in a
 * repeated hour to its first occurrence.
 *
 * That rule makes `instantOf` monotonic, and `wallReachedBy` its exact counterpart:
 * `instantOf(w) <= at` if and only if `w <= wallReachedBy(at)`. The schedule engine leans on this
 * to evaluate windows with integer comparisons and call Intl only once or twice per instant.
 */

/** A local date and time as milliseconds on a DST-free axis (1970-01-01 00:00 local = 0). */
export type WallTime = number;

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** A local calendar day; `weekday` 0 = Monday ... 6 = Sunday. */
export interface CivilDate {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
  weekday: number;
  daysInMonth: number;
}

export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Monday ... 6 = Sunday */
  weekday: number;
}

export interface ZonedTime {
  readonly timezone: string;
  /** the local wall time of an instant (epoch ms) */
  wallOf(at: number): WallTime;
  /**
   * The latest wall time the clock has shown at or before `at`. Equals `wallOf(at)` except during
   * the second pass of a repeated hour, when the clock has already been further ahead.
   */
  wallReachedBy(at: number): WallTime;
  /** the instant (epoch ms) of a wall time, by the DST rule above */
  instantOf(wall: WallTime): number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (valid for any year, unlike Date.UTC). */
export function civilDay(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The calendar date of a day number (days since 1970-01-01). */
export function civilDate(dayNumber: number): CivilDate {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day, weekday: mod(dayNumber + 3, 7), daysInMonth: daysInMonth(year, month) };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidTimezone(timezone: string): boolean {
  if (zones.has(timezone)) return true;
  try {
    zonedTime(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling of a timezone name (IANA names are case-insensitive), or undefined when unknown. */
export function canonicalTimezone(timezone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The local wall-clock fields of an instant in a zone. */
export function localFields(at: Date, timezone: string): LocalFields {
  const wall = zonedTime(timezone).wallOf(at.getTime());
  const dayNumber = Math.floor(wall / DAY_MS);
  const { year, month, day, weekday } = civilDate(dayNumber);
  const msOfDay = wall - dayNumber * DAY_MS;
  return {
    year,
    month,
    day,
    hour: Math.floor(msOfDay / 3_600_000),
    minute: Math.floor(msOfDay / MINUTE_MS) % 60,
    second: Math.floor(msOfDay / 1000) % 60,
    millisecond: msOfDay % 1000,
    weekday,
  };
}

/** The instant of a local wall time in a zone, by the DST rule above. */
export function instantOfLocal(
  fields: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timezone: string,
): Date {
  const { year, month, day, hour = 0, minute = 0, second = 0 } = fields;
  const wall = civilDay(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000;
  return new Date(zonedTime(timezone).instantOf(wall));
}

const zones = new Map<string, ZonedTime>();

/** The helpers of one zone, built once per zone name (they run hot); throws RangeError for an unknown zone. */
export function zonedTime(timezone: string): ZonedTime {
  let zone = zones.get(timezone);
  if (!zone) {
    zone = createZonedTime(timezone);
    zones.set(timezone, zone);
  }
  return zone;
}

/** Offset changes within this distance are assumed to be single steps (true of every real zone). */
const PROBE_MS = DAY_MS;

function createZonedTime(timezone: string): ZonedTime {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  // format() plus a digit scan is about twice as fast as formatToParts().
  const fields = [0, 0, 0, 0, 0, 0];

  const wallOf = (at: number): WallTime => {
    const text = formatter.format(at);
    let field = 0;
    let value = -1;
    for (let i = 0; i <= text.length; i++) {
      const code = i < text.length ? text.charCodeAt(i) - 48 : -1;
      if (code >= 0 && code <= 9) value = (value < 0 ? 0 : value * 10) + code;
      else if (value >= 0) {
        fields[field++] = value;
        value = -1;
        if (field === 6) break;
      }
    }
    const [month, day, year, hour, minute, second] = fields as [number, number, number, number, number, number];
    const seconds = civilDay(year, month, day) * 86_400 + (hour % 24) * 3600 + minute * 60 + second;
    return seconds * 1000 + mod(at, 1000);
  };
  const offsetAt = (at: number): number => wallOf(at) - at;

  /** Smallest whole-second instant in (lo, hi] whose offset is `after`, given offset(lo) !== after === offset(hi). */
  const changeBetween = (lo: number, hi: number, after: number): number => {
    let low = Math.floor(lo / 1000);
    let high = Math.ceil(hi / 1000);
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (offsetAt(mid * 1000) === after) high = mid;
      else low = mid;
    }
    return high * 1000;
  };

  return {
    timezone,
    wallOf,
    wallReachedBy(at) {
      const wall = wallOf(at);
      const now = wall - at;
      const past = offsetAt(at - PROBE_MS);
      if (past <= now) return wall;
      // The clock fell back within the probe: just before the change it showed more than it does now.
      const change = changeBetween(at - PROBE_MS, at, now);
      return Math.max(wall, change - 1 + past);
    },
    instantOf(wall) {
      const before = offsetAt(wall - PROBE_MS);
      const after = offsetAt(wall + PROBE_MS);
      // The earlier candidate first: in a repeated hour both exist and the first occurrence wins.
      const early = wall - Math.max(before, after);
      const late = wall - Math.min(before, after);
      if (offsetAt(early) === wall - early) return early;
      if (offsetAt(late) === wall - late) return late;
      // A skipped wall time: the first instant whose wall time is later, i.e. the offset change.
      let low = Math.floor(early / 1000);
      let high = Math.ceil(late / 1000);
      if (low === high) {
        low -= PROBE_MS / 1000;
        high += PROBE_MS / 1000;
      }
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (wallOf(mid * 1000) >= wall) high = mid;
        else low = mid;
      }
      return high * 1000;
    },
  };
}

function mod(value: number, by: number): number {
  return ((value % by) + by) % by;
}
