import type { CompiledSchedule, ScheduleState, Transition } from '../../src/schedule/compiled-schedule.ts';

/** A schedule given by its edges, for tests of code above the schedule engine. */
export function edgeSchedule(name: string, initial: ScheduleState, edges: { at: string; state: ScheduleState }[]): CompiledSchedule {
  const transitions: Transition[] = edges.map((edge) => ({ at: new Date(edge.at), state: edge.state, reason: `schedule ${name}: edge ${edge.at}` }));
  const lastAt = (at: Date) => transitions.filter((t) => t.at.getTime() <= at.getTime()).at(-1) ?? null;
  return {
    name,
    timezone: 'UTC',
    stateAt: (at) => {
      const last = lastAt(at);
      return { state: last ? last.state : initial, reason: `schedule ${name}: ${last ? last.state : initial}` };
    },
    nextTransitions: (from, until) => transitions.filter((t) => t.at > from && t.at <= until),
    nextTransition: (from) => transitions.find((t) => t.at > from) ?? null,
    lastTransition: lastAt,
  };
}
