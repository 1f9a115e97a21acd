import type { Action, DesiredState, LimitRule } from '../providers/provider.ts';
import type { CompiledSchedule, ScheduleState, Transition } from '../schedule/compiled-schedule.ts';
import { formatDuration } from '../util/duration.ts';
import { describeOverride, isActive, type Override } from './override.ts';

export interface PlannedTransition {
  target: string;
  /** when the schedule (or the end of an override) asks for the change */
  at: string;
  state: ScheduleState;
  /** the call it takes; null when the new state is `any` (nothing is asked for) */
  action: Action | null;
  reason: string;
  /** when the call will really be sent (later than `at` when a limit defers it), or null when nothing is sent */
  runsAt: string | null;
  /**
   * on-time: sent at `at`; deferred: sent at `runsAt`, when a limit window opens; merged: dropped, the
   * schedule turned back (or to `any`) before its window opened; nothing-to-do: the target is already in
   * that state, or the schedule leaves it alone; overridden: an override holds the target meanwhile
   */
  outcome: 'on-time' | 'deferred' | 'merged' | 'nothing-to-do' | 'overridden';
  note?: string;
}

/** A budget a start or stop draws from, keyed as the limiter keys it: targets sharing an API key share one. */
export interface PlanBudget extends LimitRule {
  key: string;
  /** for notes: `emqx allows 1 start per 1h` */
  label: string;
}

export interface PlanTarget {
  target: string;
  schedule: CompiledSchedule;
  /** per action, every budget a call takes a token from: all of them, or it waits */
  budgets: Partial<Record<Action, readonly PlanBudget[]>>;
  override?: Override | undefined;
}

const actionFor = (state: DesiredState): Action => (state === 'running' ? 'start' : 'stop');

/**
 * Upcoming transitions of one target with the provider's start/stop limits applied; see planFleet.
 * `limits` are this target's own budgets (widened by the limiter's margin by the caller).
 */
export function planTransitions(input: {
  target: string;
  schedule: CompiledSchedule;
  limits: Partial<Record<Action, LimitRule>>;
  from: Date;
  until: Date;
  override?: Override | undefined;
}): PlannedTransition[] {
  const budgets: Partial<Record<Action, PlanBudget[]>> = {};
  for (const action of ['start', 'stop'] as const) {
    const rule = input.limits[action];
    if (rule) budgets[action] = [{ ...rule, key: `${input.target}:${action}`, label: `${rule.max} ${action} per ${formatDuration(rule.perMs)}` }];
  }
  return planFleet({ targets: [{ target: input.target, schedule: input.schedule, budgets, override: input.override }], from: input.from, until: input.until });
}

interface Desire {
  target: number;
  at: number;
  state: ScheduleState;
  reason: string;
  /** an override holds the target: the schedule's change is shown, not acted on */
  overridden?: string;
}

interface TargetRun {
  /** the state the target was last sent to (or assumed in at `from`); undefined: unknown */
  state: DesiredState | undefined;
  pending: { entry: PlannedTransition; action: Action; state: DesiredState; retryAt: number } | undefined;
}

/**
 * Upcoming transitions of many targets, with the providers' start/stop limits applied as the worker
 * applies them: a call finds every budget it draws from with a free token, or waits for the moment
 * the last of them frees one; budgets shared by targets (one API key) are shared here too, in time
 * order. A waiting call whose reason is gone when its window opens (the schedule turned back, or to
 * `any`) is dropped, and the target, still in its state, needs nothing. An override holds its target
 * until it ends; then the schedule's state applies. Pure; history before `from` is unknown, so every
 * budget starts empty and each target is assumed to be in its state at `from`. Status reads also
 * draw from a provider-wide `all` budget; they are not simulated.
 */
export function planFleet(input: { targets: readonly PlanTarget[]; from: Date; until: Date }): PlannedTransition[] {
  const { targets, from, until } = input;
  const runs: TargetRun[] = [];
  const desires: Desire[] = [];
  // Many targets share a schedule: its transitions are computed once.
  const transitionsOf = new Map<CompiledSchedule, Transition[]>();
  targets.forEach((plan, index) => {
    const override = isActive(plan.override, from) ? plan.override : undefined;
    const overrideEnd = override ? new Date(override.until).getTime() : -Infinity;
    const initial = override ? override.state : plan.schedule.stateAt(from).state;
    runs.push({ state: initial === 'any' ? undefined : initial, pending: undefined });
    let transitions = transitionsOf.get(plan.schedule);
    if (!transitions) transitionsOf.set(plan.schedule, (transitions = plan.schedule.nextTransitions(from, until)));
    for (const transition of transitions) {
      const at = transition.at.getTime();
      desires.push({ target: index, at, state: transition.state, reason: transition.reason, ...(at < overrideEnd ? { overridden: describeOverride(override!) } : {}) });
    }
    if (override && overrideEnd <= until.getTime()) {
      const { state, reason } = plan.schedule.stateAt(new Date(overrideEnd));
      desires.push({ target: index, at: overrideEnd, state, reason: `${describeOverride(override)} ends; ${reason}` });
    }
  });
  desires.sort((a, b) => a.at - b.at || a.target - b.target);

  // Per budget, the instants tokens were taken, ascending: the simulation only moves forward in time.
  const sent = new Map<string, number[]>();
  /** the first instant at or after `at` when every budget has a free token */
  const freeAt = (budgets: readonly PlanBudget[], at: number): { at: number; blocking?: PlanBudget } => {
    let free = at;
    let blocking: PlanBudget | undefined;
    for (const budget of budgets) {
      const times = sent.get(budget.key) ?? [];
      const inWindow = times.length - firstAfter(times, at - budget.perMs);
      if (inWindow < budget.max) continue;
      const opens = times[times.length - budget.max]! + budget.perMs;
      if (opens > free) [free, blocking] = [opens, budget];
    }
    return blocking ? { at: free, blocking } : { at: free };
  };
  const send = (budgets: readonly PlanBudget[], at: number) => {
    for (const budget of budgets) {
      const times = sent.get(budget.key);
      if (times) times.push(at);
      else sent.set(budget.key, [at]);
    }
  };
  const retries = new RetryQueue();

  const entries: PlannedTransition[] = [];
  /** tries the pending call of a target at `at`: sent, or deferred again to when its budgets free up */
  const attempt = (index: number, at: number) => {
    const run = runs[index]!;
    const pending = run.pending!;
    const budgets = targets[index]!.budgets[pending.action] ?? [];
    const free = freeAt(budgets, at);
    pending.entry.runsAt = new Date(free.at).toISOString();
    if (free.at > at) {
      pending.retryAt = free.at;
      retries.push(index, free.at);
      pending.entry.outcome = 'deferred';
      pending.entry.note = `${free.blocking!.label}: deferred to ${pending.entry.runsAt}`;
      return;
    }
    send(budgets, at);
    run.state = pending.state;
    run.pending = undefined;
  };
  for (let i = 0; ; ) {
    const desire = desires[i];
    const retry = retries.peek();
    if (retry && (!desire || retry.at < desire.at)) {
      retries.pop();
      // a retry whose call was dropped or sent meanwhile is stale
      if (runs[retry.index]!.pending?.retryAt === retry.at) attempt(retry.index, retry.at);
      continue;
    }
    if (!desire) break;
    i++;
    const run = runs[desire.target]!;
    const entry: PlannedTransition = {
      target: targets[desire.target]!.target,
      at: new Date(desire.at).toISOString(),
      state: desire.state,
      action: desire.state === 'any' ? null : actionFor(desire.state),
      reason: desire.reason,
      runsAt: null,
      outcome: 'nothing-to-do',
    };
    entries.push(entry);
    if (desire.overridden) {
      entry.outcome = 'overridden';
      entry.note = `${desire.overridden} holds it: nothing is sent`;
      continue;
    }
    if (run.pending && (desire.state === 'any' || run.pending.state !== desire.state)) {
      run.pending.entry.outcome = 'merged';
      run.pending.entry.runsAt = null;
      run.pending.entry.note = `dropped: the schedule turns ${desire.state === 'any' ? 'to leaving it alone' : `back to ${desire.state}`} at ${entry.at}, before the window opens`;
      run.pending = undefined;
    }
    if (desire.state === 'any') {
      entry.note = 'the schedule leaves the target alone: nothing is sent';
    } else if (run.pending) {
      entry.note = `a ${run.pending.action} is already waiting for its window (${run.pending.entry.runsAt})`;
    } else if (run.state === desire.state) {
      entry.note = `already ${desire.state}: nothing is sent`;
    } else {
      entry.outcome = 'on-time';
      run.pending = { entry, action: actionFor(desire.state), state: desire.state, retryAt: desire.at };
      attempt(desire.target, desire.at);
    }
  }
  return entries;
}

/** Index of the first element greater than `value` in an ascending array. */
function firstAfter(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! > value) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Waiting calls by the instant they retry, earliest first (a binary heap; ties by target order). */
class RetryQueue {
  readonly #heap: { index: number; at: number }[] = [];

  push(index: number, at: number): void {
    const heap = this.#heap;
    heap.push({ index, at });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  peek(): { index: number; at: number } | undefined {
    return this.#heap[0];
  }

  pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let smallest = i;
      if (left < heap.length && this.#before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.#before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }

  #before(a: { index: number; at: number }, b: { index: number; at: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.index < b.index);
  }
}
