/**
 * What every schedule form compiles to: the one window model the planner reads. `any` is AWS Instance
 * Scheduler's third answer (a period with only a begin or only an end time, a Cloud Custodian opt-out):
 * the schedule wants nothing, so the target is left in whatever state it is in.
 */
export type ScheduleState = 'running' | 'stopped' | 'any';

export interface StateAt {
  state: ScheduleState;
  /** human reason, reused by logs, metrics, plan and audit: `schedule office: within Mon-Fri 08:00-19:00` */
  reason: string;
}

export interface Transition {
  /** the instant the new state begins (DST-adjusted) */
  at: Date;
  state: ScheduleState;
  reason: string;
}

export interface CompiledSchedule {
  readonly name: string;
  readonly timezone: string;
  /** the state at an instant; pure */
  stateAt(at: Date): StateAt;
  /** the state changes in (from, until], in order; pure */
  nextTransitions(from: Date, until: Date): Transition[];
  /** the first state change after `from` within a year, or null (always / never) */
  nextTransition(from: Date): Transition | null;
  /** the latest state change at or before `at` within a year back, or null */
  lastTransition(at: Date): Transition | null;
}
