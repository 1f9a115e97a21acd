import type { Action, DesiredState, LimitRule } from '../providers/provider.ts';
import type { CompiledSchedule } from '../schedule/compiled-schedule.ts';
import { formatDuration } from '../util/duration.ts';

export interface PlannedTransition {
  target: string;
  /** when the schedule asks for the change */
  at: string;
  state: DesiredState;
  action: Action;
  reason: string;
  /** when the call will really be sent (later than `at` when a limit defers it), or null when nothing is sent */
  runsAt: string | null;
  outcome: 'on-time' | 'deferred' | 'merged' | 'nothing-to-do';
  note?: string;
}

const actionFor = (state: DesiredState): Action => (state === 'running' ? 'start' : 'stop');

/**
 * Upcoming transitions of one target with the provider's start/stop limits applied, as the worker will
 * apply them: a call inside a spent window waits for the window, and a deferred call whose reason is
 * gone by then (the schedule flipped back) is dropped. Pure; history before `from` is unknown, so the
 * first call of each kind is assumed free.
 */
export function planTransitions(input: {
  target: string;
  schedule: CompiledSchedule;
  limits: Partial<Record<Action, LimitRule>>;
  from: Date;
  until: Date;
}): PlannedTransition[] {
  const { target, schedule, limits, from, until } = input;
  let state: DesiredState = schedule.stateAt(from).state;
  const lastSent: Partial<Record<Action, number>> = {};
  let pending: { entry: PlannedTransition; runsAt: number } | undefined;
  const entries: PlannedTransition[] = [];

  const send = (action: Action, at: number) => {
    lastSent[action] = at;
    state = action === 'start' ? 'running' : 'stopped';
  };
  const flushPendingBefore = (time: number) => {
    if (pending && pending.runsAt <= time) {
      send(pending.entry.action, pending.runsAt);
      pending = undefined;
    }
  };

  for (const transition of schedule.nextTransitions(from, until)) {
    const t = transition.at.getTime();
    flushPendingBefore(t);
    const action = actionFor(transition.state);
    const entry: PlannedTransition = {
      target,
      at: transition.at.toISOString(),
      state: transition.state,
      action,
      reason: transition.reason,
      runsAt: null,
      outcome: 'on-time',
    };
    if (pending && pending.entry.action !== action) {
      pending.entry.outcome = 'merged';
      pending.entry.runsAt = null;
      pending.entry.note = `dropped: the schedule turns back to ${transition.state} at ${entry.at} before the window opens`;
      pending = undefined;
    }
    if (state === transition.state) {
      entry.outcome = 'nothing-to-do';
      entry.note = `already ${state}: nothing is sent`;
    } else {
      const rule = limits[action];
      const free = rule && lastSent[action] !== undefined ? lastSent[action]! + rule.perMs : -Infinity;
      if (t >= free) {
        entry.runsAt = entry.at;
        send(action, t);
      } else {
        entry.outcome = 'deferred';
        entry.runsAt = new Date(free).toISOString();
        entry.note = `${rule!.max} ${action} per ${formatDuration(rule!.perMs)}: deferred to ${entry.runsAt}`;
        pending = { entry, runsAt: free };
      }
    }
    entries.push(entry);
  }
  return entries;
}
