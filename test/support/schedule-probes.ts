// What schedule tests ask of a compiled schedule, in ISO strings so cases read like the peers' tables.
import type { CompiledSchedule } from '../../src/schedule/compiled-schedule.ts';
import { ScheduleError } from '../../src/schedule/schedule-spec.ts';

/** the state at an ISO instant */
export const stateAt = (schedule: CompiledSchedule, at: string) => schedule.stateAt(new Date(at)).state;

/** transitions in (from, until] as `ISO state` */
export const edges = (schedule: CompiledSchedule, from: string, until: string) =>
  schedule.nextTransitions(new Date(from), new Date(until)).map((t) => `${t.at.toISOString()} ${t.state}`);

/** the ScheduleError `run` throws; fails the test when it throws nothing or something else */
export function scheduleError(run: () => unknown): ScheduleError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScheduleError) return error;
    throw error;
  }
  throw new Error('no ScheduleError');
}
