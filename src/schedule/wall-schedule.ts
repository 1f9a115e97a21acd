import type { CompiledSchedule, ScheduleState, StateAt, Transition } from './compiled-schedule.ts';
import { DAY_MS, type WallTime, type ZonedTime } from './zoned-time.ts';

/** How far nextTransition and lastTransition look. */
export const SEARCH_MS = 366 * DAY_MS;
/** lastTransition looks back in chunks that double from this, as the latest change is usually recent. */
// small, so schedules that flip every few seconds do not walk a whole day of edges
const FIRST_LOOKBACK_MS = 60_000;

export interface WallState {
  readonly state: ScheduleState;
}

/** A schedule form, answered in wall time; wallSchedule maps it to instants. */
export interface WallModel<S extends WallState> {
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

/** What a schedule is made of before the memoising and searching every schedule shares. */
export interface ScheduleCore {
  stateAt(at: number): StateAt;
  /** the changes in (from, until], ascending; may stop early when the caller does */
  transitions(from: number, until: number): Iterable<Transition>;
}

/**
 * A CompiledSchedule from its core. Results are frozen and may be shared: stateAt and lastTransition
 * remember their last answer, because many targets share a schedule and ask about the same instant in
 * one tick.
 */
export function scheduleOf(name: string, timezone: string, core: ScheduleCore): CompiledSchedule {
  let stateMemo: { at: number; result: StateAt } | undefined;
  let lastMemo: { at: number; result: Transition | null } | undefined;
  return {
    name,
    timezone,
    stateAt(at) {
      const time = at.getTime();
      if (stateMemo?.at !== time) stateMemo = { at: time, result: core.stateAt(time) };
      return stateMemo.result;
    },
    nextTransitions(from, until) {
      return [...core.transitions(from.getTime(), until.getTime())];
    },
    nextTransition(from) {
      for (const transition of core.transitions(from.getTime(), from.getTime() + SEARCH_MS)) return transition;
      return null;
    },
    lastTransition(at) {
      const time = at.getTime();
      if (lastMemo?.at !== time) {
        let result: Transition | null = null;
        const horizon = time - SEARCH_MS;
        for (let high = time, span = FIRST_LOOKBACK_MS; high > horizon && !result; span *= 2) {
          const low = Math.max(horizon, high - span);
          for (const transition of core.transitions(low, high)) result = transition;
          high = low;
        }
        lastMemo = { at: time, result };
      }
      return lastMemo.result;
    },
  };
}

/**
 * A schedule answered in wall time, mapped to instants with the DST rule of zoned-time.ts: an edge in
 * a skipped hour happens at the first valid instant after it, an edge in a repeated hour at its first
 * occurrence. Edges that a skipped hour folds onto one instant count as one change; if the state ends
 * where it started, there is none.
 */
export function wallSchedule<S extends WallState>(name: string, zone: ZonedTime, model: WallModel<S>): CompiledSchedule {
  const prefix = `schedule ${name}: `;

  function* transitions(from: number, until: number): Generator<Transition> {
    if (!(until > from)) return;
    // instantOf(w) <= t exactly when w <= wallReachedBy(t), so these bound the edges to visit.
    const low = zone.wallReachedBy(from);
    const high = zone.wallReachedBy(until);
    let state = model.stateAt(low);
    let settled = low;
    for (const edge of model.edges(low, high)) {
      if (edge.wall <= settled) continue;
      if (edge.state.state === state.state) {
        state = edge.state;
        continue;
      }
      const at = zone.instantOf(edge.wall);
      // In a skipped hour, every edge up to the end of the gap lands on this same instant.
      settled = zone.wallOf(at);
      const after = settled === edge.wall ? edge.state : model.stateAt(settled);
      if (after.state !== state.state) {
        yield Object.freeze({ at: new Date(at), state: after.state, reason: prefix + model.change(state, after, edge.wall) });
      }
      state = after;
    }
  }

  return scheduleOf(name, zone.timezone, {
    stateAt(at) {
      const state = model.stateAt(zone.wallReachedBy(at));
      return Object.freeze({ state: state.state, reason: prefix + model.describe(state) });
    },
    transitions,
  });
}

/** A schedule that never changes; `why` is its reason without the `schedule <name>: ` prefix. */
export function constantSchedule(name: string, timezone: string, state: ScheduleState, why: string): CompiledSchedule {
  const result: StateAt = Object.freeze({ state, reason: `schedule ${name}: ${why}` });
  return {
    name,
    timezone,
    stateAt: () => result,
    nextTransitions: () => [],
    nextTransition: () => null,
    lastTransition: () => null,
  };
}

/** A model whose state never changes, for forms that reduce to one answer in some cases. */
export function constantModel(state: ScheduleState, why: string): WallModel<WallState> {
  const value: WallState = Object.freeze({ state });
  return { stateAt: () => value, edges: () => [], describe: () => why, change: () => why };
}
