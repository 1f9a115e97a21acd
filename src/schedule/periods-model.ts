import type { ScheduleState } from './compiled-schedule.ts';
import { startsOn, type PeriodWindow } from './period-window.ts';
import type { WallModel } from './wall-schedule.ts';
import { DAY_MS, MINUTE_MS, civilDate, type WallTime } from './zoned-time.ts';

/** One run of a window, in wall time. */
interface Occurrence {
  window: PeriodWindow;
  start: WallTime;
  end: WallTime;
}

export interface PeriodsState {
  state: ScheduleState;
  /** a window covers the wall time: the one that began last */
  window: Occurrence | undefined;
  /** the latest run that has ended by the wall time, when none covers it (names what just ended) */
  ended: Occurrence | undefined;
}

export interface PeriodsLabels {
  /** the state while a window covers the wall time: running for `running:` and uptimes, stopped for downtimes */
  covered: 'running' | 'stopped';
  /** the reason when no window covers it */
  outside: string;
}

const RUNNING_WINDOWS: PeriodsLabels = { covered: 'running', outside: 'outside running windows' };

/**
 * Windows that start on local days (period-window.ts), in wall time: covered while any runs.
 * Adjacent and overlapping windows merge, so no change happens where one hands over to the next.
 */
export function periodsModel(windows: readonly PeriodWindow[], labels: PeriodsLabels = RUNNING_WINDOWS): WallModel<PeriodsState> {
  const uncovered: ScheduleState = labels.covered === 'running' ? 'stopped' : 'running';
  // A window that starts on day S still covers day S + reach; one more day back finds what ended at midnight.
  const reach = Math.max(0, ...windows.map((window) => Math.floor((window.end - 1) / 1440)));
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
    return { state: covering ? labels.covered : uncovered, window: covering, ended: covering ? undefined : ended };
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
    describe: (state) => (state.window ? `within ${state.window.window.text}` : labels.outside),
    change(_before, after, wall) {
      if (after.window) return after.window.start >= wall ? `${after.window.window.text} began` : `within ${after.window.window.text}`;
      return after.ended ? `${after.ended.window.text} ended` : labels.outside;
    },
  };
}
