import { Cron } from 'croner';
import type { CompiledSchedule, ScheduleState, StateAt, Transition } from './compiled-schedule.ts';
import { parseExceptDates, type ExceptDates, type ExceptRange } from './except-dates.ts';
import { parsePeriodWindow, startsOn, type PeriodWindow } from './period-window.ts';
import { ScheduleError, type CronScheduleSpec, type ScheduleSpec } from './schedule-spec.ts';
import { DAY_MS, MINUTE_MS, civilDate, isValidTimezone, zonedTime, type WallTime, type ZonedTime } from './zoned-time.ts';

/** How far nextTransition and lastTransition look. */
const SEARCH_MS = 366 * DAY_MS;
/** lastTransition looks back in chunks that double from this, as the latest change is usually recent. */
// small, so schedules that flip every few seconds do not walk a whole day of edges
const FIRST_LOOKBACK_MS = 60_000;

/**
 * Compiles any schedule form into the one window model the planner reads.
 *
 * Every form is evaluated in local wall time (see zoned-time.ts) and only its edges are mapped to
 * instants, so all forms share the DST rule: an edge in a skipped hour happens at the first valid
 * instant after it, an edge in a repeated hour at its first occurrence. Edges that a skipped hour
 * folds onto one instant count as one change; if the state ends where it started, there is none.
 *
 * Cron pairs (croner; 5 fields, or 6 with seconds first; day-of-month and day-of-week combine with
 * OR, as in Vixie cron): the state is that of whichever pattern fired last; before either has fired,
 * stopped. When both fire at the same time, stop wins. Patterns are matched against wall time, so a
 * cron edge follows the DST rule above too: unlike croner's own zone handling, `0,30 2 * * *` fires
 * at 03:00 on a spring-forward day and once, not twice, on a fall-back day. Except days stop a cron
 * schedule for the whole local day; afterwards it is in whatever state the last fire asked for.
 *
 * Results are frozen and may be shared: stateAt and lastTransition remember their last answer,
 * because many targets share a schedule and ask about the same instant in one tick.
 */
export function compileSchedule(name: string, spec: ScheduleSpec, defaults: { timezone: string }): CompiledSchedule {
  if (spec === 'always' || spec === 'never') return constantSchedule(name, spec, defaults.timezone);
  const timezone = spec.timezone ?? defaults.timezone;
  if (!isValidTimezone(timezone)) throw new ScheduleError(`unknown timezone "${timezone}"`, ['timezone']);
  const except = parseExceptDates(spec.except ?? [], ['except']);
  const zone = zonedTime(timezone);
  return 'cron' in spec
    ? wallSchedule(name, zone, cronModel(spec.cron, except))
    : wallSchedule(name, zone, periodsModel(spec.running, except));
}

/** A schedule form, answered in wall time; wallSchedule maps it to instants. */
interface WallModel<S extends { running: boolean }> {
  stateAt(wall: WallTime): S;
  /**
   * Wall times in (from, to], ascending, where the state may change, each with the state from there
   * on. May include edges where nothing changes; must include every one where something does.
   */
  edges(from: WallTime, to: WallTime): Iterable<{ wall: WallTime; state: S }>;
  /** why the state holds, without the `schedule <name>: ` prefix */
  describe(state: S): string;
  /** why the state changed from `before` to `after` at the edge `wall` */
  change(before: S, after: S, wall: WallTime): string;
}

function wallSchedule<S extends { running: boolean }>(name: string, zone: ZonedTime, model: WallModel<S>): CompiledSchedule {
  const prefix = `schedule ${name}: `;
  const stateOf = (state: S): ScheduleState => (state.running ? 'running' : 'stopped');

  /** The changes in (from, until]: edges in wall time, settled one instant at a time. */
  function* transitions(from: number, until: number): Generator<Transition> {
    if (!(until > from)) return;
    // instantOf(w) <= t exactly when w <= wallReachedBy(t), so these bound the edges to visit.
    const low = zone.wallReachedBy(from);
    const high = zone.wallReachedBy(until);
    let state = model.stateAt(low);
    let settled = low;
    for (const edge of model.edges(low, high)) {
      if (edge.wall <= settled) continue;
      if (edge.state.running === state.running) {
        state = edge.state;
        continue;
      }
      const at = zone.instantOf(edge.wall);
      // In a skipped hour, every edge up to the end of the gap lands on this same instant.
      settled = zone.wallOf(at);
      const after = settled === edge.wall ? edge.state : model.stateAt(settled);
      if (after.running !== state.running) {
        yield Object.freeze({ at: new Date(at), state: stateOf(after), reason: prefix + model.change(state, after, edge.wall) });
      }
      state = after;
    }
  }

  let stateMemo: { at: number; result: StateAt } | undefined;
  let lastMemo: { at: number; result: Transition | null } | undefined;

  return {
    name,
    timezone: zone.timezone,
    stateAt(at) {
      const time = at.getTime();
      if (stateMemo?.at !== time) {
        const state = model.stateAt(zone.wallReachedBy(time));
        stateMemo = { at: time, result: Object.freeze({ state: stateOf(state), reason: prefix + model.describe(state) }) };
      }
      return stateMemo.result;
    },
    nextTransitions(from, until) {
      return [...transitions(from.getTime(), until.getTime())];
    },
    nextTransition(from) {
      for (const transition of transitions(from.getTime(), from.getTime() + SEARCH_MS)) return transition;
      return null;
    },
    lastTransition(at) {
      const time = at.getTime();
      if (lastMemo?.at !== time) {
        let result: Transition | null = null;
        const horizon = time - SEARCH_MS;
        for (let high = time, span = FIRST_LOOKBACK_MS; high > horizon && !result; span *= 2) {
          const low = Math.max(horizon, high - span);
          for (const transition of transitions(low, high)) result = transition;
          high = low;
        }
        lastMemo = { at: time, result };
      }
      return lastMemo.result;
    },
  };
}

function constantSchedule(name: string, spec: 'always' | 'never', timezone: string): CompiledSchedule {
  const result: StateAt = Object.freeze(
    spec === 'always'
      ? { state: 'running', reason: `schedule ${name}: always running` }
      : { state: 'stopped', reason: `schedule ${name}: never running` },
  );
  return {
    name,
    timezone,
    stateAt: () => result,
    nextTransitions: () => [],
    nextTransition: () => null,
    lastTransition: () => null,
  };
}

/** One run of a window, in wall time. */
interface Occurrence {
  window: PeriodWindow;
  start: WallTime;
  end: WallTime;
}

interface PeriodsState {
  running: boolean;
  /** a window covers the wall time (except days aside): the one that began last */
  window: Occurrence | undefined;
  /** the latest run that has ended by the wall time, when none covers it (names what just ended) */
  ended: Occurrence | undefined;
  except: ExceptRange | undefined;
}

function periodsModel(entries: readonly string[], except: ExceptDates): WallModel<PeriodsState> {
  const windows = entries.map((entry, index) => parsePeriodWindow(entry, ['running', index]));
  // A window that starts on day S still covers day S + reach; one more day back finds what ended at midnight.
  const reach = Math.max(...windows.map((window) => Math.floor((window.end - 1) / 1440)));
  const lookback = reach + 1;

  const stateAt = (wall: WallTime): PeriodsState => {
    const today = Math.floor(wall / DAY_MS);
    let covering: Occurrence | undefined;
    let ended: Occurrence | undefined;
    for (let day = today - lookback; day <= today; day++) {
      const date = civilDate(day);
      for (const window of windows) {
        if (!startsOn(window, date)) continue;
        const start = day * DAY_MS + window.start * MINUTE_MS;
        const end = day * DAY_MS + window.end * MINUTE_MS;
        if (start <= wall && wall < end) {
          if (!covering || start > covering.start) covering = { window, start, end };
        } else if (end <= wall && (!ended || end > ended.end)) {
          ended = { window, start, end };
        }
      }
    }
    const range = except.covering(wall);
    return { running: covering !== undefined && range === undefined, window: covering, ended: covering ? undefined : ended, except: range };
  };

  function* edges(from: WallTime, to: WallTime): Generator<{ wall: WallTime; state: PeriodsState }> {
    // A week of edges at a time, sorted; nextTransition usually stops in the first.
    for (let low = from; low < to; ) {
      const high = Math.min(to, low + 7 * DAY_MS);
      const walls: number[] = [];
      const add = (wall: number) => {
        if (wall > low && wall <= high) walls.push(wall);
      };
      for (let day = Math.floor(low / DAY_MS) - lookback, last = Math.floor(high / DAY_MS); day <= last; day++) {
        const date = civilDate(day);
        for (const window of windows) {
          if (!startsOn(window, date)) continue;
          add(day * DAY_MS + window.start * MINUTE_MS);
          add(day * DAY_MS + window.end * MINUTE_MS);
        }
      }
      for (const range of except.ranges) {
        add(range.first * DAY_MS);
        add((range.last + 1) * DAY_MS);
      }
      walls.sort((a, b) => a - b);
      for (let i = 0; i < walls.length; i++) {
        if (walls[i] !== walls[i - 1]) yield { wall: walls[i]!, state: stateAt(walls[i]!) };
      }
      low = high;
    }
  }

  return {
    stateAt,
    edges,
    describe: (state) =>
      state.except ? `except ${state.except.text}` : state.window ? `within ${state.window.window.text}` : 'outside running windows',
    change(before, after, wall) {
      if (after.running) {
        if (after.window!.start >= wall) return `${after.window!.window.text} began`;
        return before.except ? `except ${before.except.text} ended` : `within ${after.window!.window.text}`;
      }
      if (after.except && after.window) return `except ${after.except.text}`;
      return after.ended ? `${after.ended.window.text} ended` : 'outside running windows';
    },
  };
}

interface CronState {
  running: boolean;
  /** the pattern that fired last (stop on a tie), if either has */
  fired: { kind: 'start' | 'stop'; wall: WallTime } | undefined;
  except: ExceptRange | undefined;
}

function cronModel(spec: CronScheduleSpec['cron'], except: ExceptDates): WallModel<CronState> {
  // Both patterns run on a DST-free axis: their fire times are wall times.
  const patterns = { start: compileCron(spec.start, 'start'), stop: compileCron(spec.stop, 'stop') };
  const lastFire = (cron: Cron, wall: WallTime): number | undefined => cron.previousRuns(1, new Date(wall + 1))[0]?.getTime();
  const nextFire = (cron: Cron, wall: WallTime): number => cron.nextRun(new Date(wall))?.getTime() ?? Infinity;

  const stateAt = (wall: WallTime): CronState => {
    const started = lastFire(patterns.start, wall);
    const stopped = lastFire(patterns.stop, wall);
    const fired =
      stopped !== undefined && (started === undefined || stopped >= started)
        ? { kind: 'stop' as const, wall: stopped }
        : started !== undefined
          ? { kind: 'start' as const, wall: started }
          : undefined;
    const range = except.covering(wall);
    return { running: fired?.kind === 'start' && range === undefined, fired, except: range };
  };

  function* edges(from: WallTime, to: WallTime): Generator<{ wall: WallTime; state: CronState }> {
    // Only the pattern that would change the cron state matters next, so a start that fires every
    // minute while running costs nothing.
    let state = stateAt(from);
    for (let wall = from; ; ) {
      const fire = nextFire(state.fired?.kind === 'start' ? patterns.stop : patterns.start, wall);
      wall = Math.min(fire, except.boundaryAfter(wall));
      if (!(wall <= to)) return;
      state = stateAt(wall);
      yield { wall, state };
    }
  }

  const fired = (state: CronState): string =>
    state.fired ? `cron ${state.fired.kind} "${spec[state.fired.kind]}" fired` : 'neither cron start nor stop has fired';
  return {
    stateAt,
    edges,
    describe: (state) => (state.except ? `except ${state.except.text}` : fired(state)),
    change(before, after, wall) {
      if (after.running) return after.fired!.wall >= wall || !before.except ? fired(after) : `except ${before.except.text} ended`;
      return after.except && after.fired?.kind === 'start' ? `except ${after.except.text}` : fired(after);
    },
  };
}

function compileCron(pattern: string, which: 'start' | 'stop'): Cron {
  const fail = (why: string): never => {
    throw new ScheduleError(`invalid cron ${which} "${pattern}": ${why}`, ['cron', which]);
  };
  const fields = pattern.trim().split(/\s+/).filter(Boolean).length;
  if (fields !== 5 && fields !== 6) fail(`expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields}`);
  let cron: Cron;
  try {
    cron = new Cron(pattern, { utcOffset: 0, mode: '5-or-6-parts' });
  } catch (error) {
    return fail((error as Error).message.replace(/^CronPattern: /, ''));
  }
  if (cron.nextRun(new Date(0)) === null) fail('it never fires');
  return cron;
}
