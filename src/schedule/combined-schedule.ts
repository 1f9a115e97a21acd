import type { CompiledSchedule, ScheduleState, StateAt, Transition } from './compiled-schedule.ts';
import { scheduleOf } from './wall-schedule.ts';
import { DAY_MS } from './zoned-time.ts';

/**
 * Several schedules read as one: the state is `dominant` while any part is in it, otherwise the
 * first part's. What a kube-downscaler value with parts in several timezones, or with absolute
 * ranges next to weekly ones, compiles to: an uptime is running while any part is, a downtime
 * stopped while any part is. The parts carry their own reasons (compiled under the same name).
 */
export function anyOfSchedules(name: string, timezone: string, parts: readonly CompiledSchedule[], dominant: ScheduleState): CompiledSchedule {
  const combine = (states: readonly ScheduleState[]): ScheduleState => (states.includes(dominant) ? dominant : states[0]!);

  function* transitions(from: number, until: number): Generator<Transition> {
    if (!(until > from)) return;
    const current = parts.map((part) => part.stateAt(new Date(from)).state);
    let state = combine(current);
    // Growing chunks: the next change is usually near, and every part's edges in a year are many.
    for (let low = from, span = DAY_MS; low < until; low += span, span *= 2) {
      const high = Math.min(until, low + span);
      const edges = parts
        .flatMap((part, index) => part.nextTransitions(new Date(low), new Date(high)).map((transition) => ({ index, transition })))
        .sort((a, b) => a.transition.at.getTime() - b.transition.at.getTime());
      for (let i = 0; i < edges.length; ) {
        const at = edges[i]!.transition.at.getTime();
        const group: Transition[] = [];
        for (; i < edges.length && edges[i]!.transition.at.getTime() === at; i++) {
          current[edges[i]!.index] = edges[i]!.transition.state;
          group.push(edges[i]!.transition);
        }
        const next = combine(current);
        if (next === state) continue;
        const cause = group.find((transition) => transition.state === next) ?? group[0]!;
        state = next;
        yield Object.freeze({ at: new Date(at), state, reason: cause.reason });
      }
    }
  }

  return scheduleOf(name, timezone, {
    stateAt(at): StateAt {
      const results = parts.map((part) => part.stateAt(new Date(at)));
      return results.find((result) => result.state === dominant) ?? results[0]!;
    },
    transitions,
  });
}
