import { parseDateRange } from './except-dates.ts';
import { parseIcsCalendar } from './ics-calendar.ts';
import { ScheduleError } from './schedule-spec.ts';
import type { WallModel, WallState } from './wall-schedule.ts';
import { wallSpans, type WallSpan, type WallSpans } from './wall-spans.ts';
import { DAY_MS, type WallTime, type ZonedTime } from './zoned-time.ts';

/**
 * `except:` and `include:` of a schedule: local days (`2026-12-25`), ranges of days
 * (`2026-12-24..2026-12-26`) and iCalendar files (`holidays.ics`, read when the config is loaded,
 * relative to it). An except stretch stops the target, also the part of a window that runs into it;
 * an include stretch runs it, whatever the schedule says. Where both cover a moment, include wins, so
 * a working day can be punched into a holiday range.
 */
export interface DaySpan extends WallSpan {
  readonly kind: 'except' | 'include';
}

/** Reads a calendar file named in a schedule; the config loader resolves it relative to the config file. */
export type ReadCalendar = (path: string) => string;

export interface DayOverridesSpec {
  except?: readonly string[] | undefined;
  include?: readonly string[] | undefined;
}

export function parseDayOverrides(spec: DayOverridesSpec, zone: ZonedTime, readCalendar: ReadCalendar | undefined): WallSpans<DaySpan> {
  const spans: DaySpan[] = [];
  for (const kind of ['except', 'include'] as const) {
    (spec[kind] ?? []).forEach((entry, index) => {
      const path = [kind, index];
      if (!/\.ics$/i.test(entry.trim())) {
        const range = parseDateRange(entry, path, kind);
        spans.push({ kind, text: range.text, start: range.first * DAY_MS, end: (range.last + 1) * DAY_MS });
        return;
      }
      const file = entry.trim();
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
        throw new ScheduleError(`calendar "${file}": offhours reads calendars from files, not URLs (download it and name the file)`, path);
      }
      if (!readCalendar) throw new ScheduleError(`calendar "${file}": calendar files are read only when a config file is loaded`, path);
      let text: string;
      try {
        text = readCalendar(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new ScheduleError(`calendar "${file}": cannot read it (${code === 'ENOENT' ? 'it does not exist' : (code ?? (error as Error).message)})`, path);
      }
      for (const span of parseIcsCalendar(text, zone, file, path)) spans.push({ kind, text: span.text, start: span.start, end: span.end });
    });
  }
  return wallSpans(spans);
}

/** A model's state with the except/include stretch that covers it, if any. */
export interface WithDays<S extends WallState> extends WallState {
  readonly inner: S;
  readonly day: DaySpan | undefined;
}

/**
 * Lays except/include stretches over a model: the state under a stretch is its kind's, the model's
 * elsewhere. Reasons name the stretch where it decides, the model where it does.
 */
export function withDayOverrides<S extends WallState>(model: WallModel<S>, days: WallSpans<DaySpan>): WallModel<S | WithDays<S>> {
  if (days.size === 0) return model;
  const overlay = (inner: S, wall: WallTime): WithDays<S> => {
    const covering = days.covering(wall);
    const day = covering.find((span) => span.kind === 'include') ?? covering[0];
    return { inner, day, state: day ? (day.kind === 'include' ? 'running' : 'stopped') : inner.state };
  };
  const stateAt = (wall: WallTime) => overlay(model.stateAt(wall), wall);

  function* edges(from: WallTime, to: WallTime): Generator<{ wall: WallTime; state: WithDays<S> }> {
    let boundary = days.boundaryAfter(from);
    for (const edge of model.edges(from, to)) {
      for (; boundary < edge.wall; boundary = days.boundaryAfter(boundary)) yield { wall: boundary, state: stateAt(boundary) };
      if (boundary === edge.wall) boundary = days.boundaryAfter(boundary);
      yield { wall: edge.wall, state: overlay(edge.state, edge.wall) };
    }
    for (; boundary <= to; boundary = days.boundaryAfter(boundary)) yield { wall: boundary, state: stateAt(boundary) };
  }

  const text = (span: DaySpan) => `${span.kind} ${span.text}`;
  return {
    stateAt,
    edges,
    describe: (state) => {
      const { inner, day } = state as WithDays<S>;
      return day ? text(day) : model.describe(inner);
    },
    change(beforeState, afterState, wall) {
      const before = beforeState as WithDays<S>;
      const after = afterState as WithDays<S>;
      // The model moved to the state that now holds: its own reason says why ("Mon-Fri 08:00-19:00 ended").
      if (before.inner.state !== after.inner.state && after.inner.state === after.state) return model.change(before.inner, after.inner, wall);
      if (after.day) return text(after.day);
      return before.day ? `${text(before.day)} ended` : model.describe(after.inner);
    },
  };
}
