import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.ts';
import type { ActionQueue } from '../queue/action-queue.ts';
import type { ManagedTarget } from '../queue/managed-target.ts';
import { doneKey, type TargetStore } from '../queue/target-store.ts';
import type { CompiledSchedule, Transition } from '../schedule/compiled-schedule.ts';
import type { Clock } from '../util/clock.ts';
import { decide, isActionable, type Decision } from './decide.ts';
import type { Override } from './override.ts';
import type { IdleState } from '../idle/idle-state.ts';

export interface ReconcilerDeps {
  targets: readonly ManagedTarget[];
  store: TargetStore;
  queue: Pick<ActionQueue, 'enqueueDecisions' | 'enqueueObserveAll'>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** how often overrides set by the CLI or HTTP API (in Redis) are looked at */
  overrideRefreshMs?: number;
  /** the longest sleep between passes, so a missed timer is never fatal */
  maxSleepMs?: number;
  /**
   * How long before a schedule edge its jobs are enqueued (delayed until the edge), so enqueueing
   * thousands of jobs is not part of the lag between the edge and the provider call.
   */
  lookaheadMs?: number;
  onError?: (error: unknown) => void;
  onPass?: (pass: PassReport) => void;
}

export interface PassReport {
  at: Date;
  enqueued: number;
  nextWake: Date;
}

interface ScheduleGroup {
  schedule: CompiledSchedule;
  targets: ManagedTarget[];
  next: Transition | null;
  /** the edge (ms) whose jobs were already enqueued ahead of time */
  prepared: number;
}

export interface Reconciler {
  /** first pass (applies what was missed while down, once) and then waking on each schedule edge */
  start(): Promise<void>;
  /** no pass starts after this; resolves when the one under way, if any, has finished */
  stop(): Promise<void>;
  /** runs one pass now; the loop does this itself, tests may too */
  pass(): Promise<PassReport>;
}

/**
 * Turns schedule edges into ensure jobs. Work is per schedule, not per target: each schedule's next edge
 * is computed once and cached, the loop sleeps until the earliest, and only the targets of schedules
 * whose edge passed are looked at. No provider is called here.
 */
export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { store, queue, clock, logger, metrics } = deps;
  const overrideRefreshMs = deps.overrideRefreshMs ?? 5_000;
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  const lookaheadMs = deps.lookaheadMs ?? 30_000;
  const enabled = deps.targets.filter((target) => target.enabled);
  const groups = new Map<string, ScheduleGroup>();
  for (const target of enabled) {
    const group = groups.get(target.scheduleName) ?? { schedule: target.schedule, targets: [], next: null, prepared: -1 };
    group.targets.push(target);
    groups.set(target.scheduleName, group);
  }
  const byName = new Map(enabled.map((target) => [target.name, target]));

  let overrides = new Map<string, Override>();
  /** the effective override of each target at the last read: `state@setAt`, or absent */
  let effective = new Map<string, string>();
  let lastOverrideRead = -Infinity;
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /**
   * Reads overrides; returns the targets whose effective override changed (set, cleared or expired)
   * and a commit to call once their decisions are enqueued, so a failed pass sees the change again.
   */
  async function refreshOverrides(at: Date): Promise<{ changed: ManagedTarget[]; commit: () => void }> {
    overrides = await store.allOverrides();
    lastOverrideRead = at.getTime();
    const now = new Map<string, string>();
    for (const [name, override] of overrides) {
      if (new Date(override.until).getTime() > at.getTime()) now.set(name, `${override.state}@${override.setAt}`);
    }
    const changed: ManagedTarget[] = [];
    for (const name of new Set([...effective.keys(), ...now.keys()])) {
      const target = byName.get(name);
      if (target && effective.get(name) !== now.get(name)) changed.push(target);
    }
    return { changed, commit: () => void (effective = now) };
  }

  /** the idle states of those of `targets` that have an idle policy: decide's idle input */
  async function idleOf(targets: Iterable<ManagedTarget>): Promise<Map<string, IdleState>> {
    return store.idleFor([...targets].filter((target) => target.idle !== undefined).map((target) => target.name));
  }

  function decisionsFor(targets: Iterable<ManagedTarget>, at: Date, idle?: ReadonlyMap<string, IdleState>): Decision[] {
    const decisions: Decision[] = [];
    for (const target of targets) {
      const decision = decide(target, at, overrides.get(target.name), idle?.get(target.name)?.decision);
      metrics.setTargetState('desired', target.name, target.adapter.name, decision.desired);
      decisions.push(decision);
    }
    return decisions;
  }

  function nextWake(at: Date): Date {
    let earliest = at.getTime() + maxSleepMs;
    for (const group of groups.values()) {
      if (!group.next) continue;
      const edge = group.next.at.getTime();
      const wake = group.prepared === edge ? edge : edge - lookaheadMs;
      if (wake < earliest) earliest = wake;
    }
    for (const override of overrides.values()) {
      const until = new Date(override.until).getTime();
      if (until > at.getTime() && until < earliest) earliest = until;
    }
    earliest = Math.min(earliest, lastOverrideRead + overrideRefreshMs);
    return new Date(Math.max(earliest, at.getTime() + 10));
  }

  async function firstPass(at: Date): Promise<number> {
    const overridden = await refreshOverrides(at);
    for (const [name, group] of groups) {
      group.next = group.schedule.nextTransition(at);
      if (group.next) metrics.scheduleNextTransition.set({ schedule: name }, group.next.at.getTime() / 1000);
    }
    // `any` leaves a target alone: there is nothing to carry out.
    const decisions = decisionsFor(enabled, at, await idleOf(enabled)).filter(isActionable);
    // A restart must not redo work: skip what was carried out for the same (desired, since) already.
    const done = await store.doneFor(enabled.map((target) => target.name));
    const pending = decisions.filter((decision) => done.get(decision.target) !== doneKey(decision.desired, decision.since));
    await queue.enqueueDecisions(pending, at);
    await queue.enqueueObserveAll(enabled, at);
    overridden.commit();
    await prepare(at);
    logger.info({ targets: enabled.length, schedules: groups.size, enqueued: pending.length }, 'reconciler started');
    return pending.length;
  }

  async function edgePass(at: Date): Promise<number> {
    const due = new Set<ManagedTarget>();
    const passed: [string, ScheduleGroup][] = [];
    for (const [name, group] of groups) {
      if (!group.next || group.next.at.getTime() > at.getTime()) continue;
      logger.info({ schedule: name, targets: group.targets.length, reason: group.next.reason }, `schedule edge: ${group.next.reason}`);
      // jobs prepared ahead of the edge are already waiting for it; enqueueing them again here would only
      // compete with the worker for CPU and Redis at the very moment the lag is measured
      if (group.prepared !== group.next.at.getTime()) for (const target of group.targets) due.add(target);
      passed.push([name, group]);
    }
    const overridden = await refreshOverrides(at);
    for (const target of overridden.changed) due.add(target);
    const decisions = decisionsFor(due, at, await idleOf(due)).filter(isActionable);
    await queue.enqueueDecisions(decisions, at);
    // only now that the jobs are in Redis: if anything above failed, the next pass sees the same edge
    overridden.commit();
    for (const [name, group] of passed) {
      group.next = group.schedule.nextTransition(at);
      if (group.next) metrics.scheduleNextTransition.set({ schedule: name }, group.next.at.getTime() / 1000);
    }
    return decisions.length + (await prepare(at));
  }

  /** enqueues the jobs of edges within the lookahead, delayed until the edge; the edge pass dedupes them */
  async function prepare(at: Date): Promise<number> {
    let prepared = 0;
    for (const group of groups.values()) {
      if (!group.next) continue;
      const edge = group.next.at;
      if (group.prepared === edge.getTime() || edge.getTime() - at.getTime() > lookaheadMs) continue;
      const decisions = group.targets.map((target) => decide(target, edge, overrides.get(target.name))).filter(isActionable);
      await queue.enqueueDecisions(decisions, at);
      group.prepared = edge.getTime();
      prepared += decisions.length;
    }
    return prepared;
  }

  async function pass(): Promise<PassReport> {
    const at = clock.now();
    const enqueued = started ? await edgePass(at) : await firstPass(at);
    started = true;
    const report = { at, enqueued, nextWake: nextWake(at) };
    deps.onPass?.(report);
    return report;
  }

  let current: Promise<void> | undefined;
  function loop(): Promise<void> {
    if (stopped) return Promise.resolve();
    return (current = pass().then(
      (report) => schedule(report.nextWake.getTime() - clock.now().getTime()),
      (error: unknown) => {
        // Redis down, most likely: stay alive, say so, and try again soon; readiness reflects it.
        deps.onError?.(error);
        logger.warn({ err: (error as Error).message }, 'reconcile pass failed; retrying in 5s');
        schedule(5_000);
      },
    ));
  }
  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(loop, Math.max(10, Math.min(ms, maxSleepMs)));
  }

  return {
    /** resolves after the first pass (or its failure, which is retried): what was missed is queued by then */
    async start() {
      stopped = false;
      await loop();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
    pass,
  };
}
