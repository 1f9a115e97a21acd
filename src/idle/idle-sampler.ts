import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.ts';
import { decide, isActionable } from '../planner/decide.ts';
import type { ActionQueue } from '../queue/action-queue.ts';
import { operationRule } from '../queue/limit-rules.ts';
import type { Limiter, LimiterRule } from '../queue/limiter.ts';
import type { ManagedTarget } from '../queue/managed-target.ts';
import type { TargetStore } from '../queue/target-store.ts';
import type { IdlePolicy } from './idle-policy.ts';
import type { IdleSignal } from './idle-signal.ts';
import { clockOf, EMPTY_IDLE_STATE } from './idle-state.ts';
import { stepIdle, type IdleEvent, type IdleStep } from './idle-step.ts';
import { nextScheduledStart } from './idle-stop-guard.ts';

export interface IdleSamplerDeps {
  prefix: string;
  store: TargetStore;
  limiter: Limiter;
  actions: Pick<ActionQueue, 'enqueueDecisions'>;
  metrics: Metrics;
  logger: Logger;
}

export type IdleSampler = (target: ManagedTarget, policy: IdlePolicy, signal: IdleSignal, at: Date) => Promise<IdleStep>;

/**
 * One reading of a target's idle signal: read, run it through the idle clock (stepIdle, pure) with the
 * target's override, last observed state and start/stop budgets, keep the result in Redis, and when the
 * idle decision changed, enqueue the new desired state as an ensure job like any other decision.
 */
export function createIdleSampler(deps: IdleSamplerDeps): IdleSampler {
  const { store, limiter, metrics, logger } = deps;

  /** when the budget has room again, or null when it has now (or there is none) */
  async function freeAt(rule: LimiterRule | undefined, at: Date): Promise<Date | null> {
    if (!rule) return null;
    const grant = await limiter.peek([rule], at);
    return grant.granted ? null : grant.retryAt;
  }

  return async (target, policy, signal, at) => {
    const reading = await signal.read(at);
    const [override, observed, states] = await Promise.all([store.getOverride(target.name), store.getObserved(target.name), store.idleFor([target.name])]);
    const state = states.get(target.name) ?? EMPTY_IDLE_STATE;
    const base = decide(target, at, override);
    const startRule = target.adapter.limits.start;
    // Budgets matter only for a stop that may be due; an idle reading inside a running window may make one.
    const mayStop = startRule !== undefined && reading.verdict === 'idle' && base.source !== 'override' && base.desired === 'running';
    const [startFreeAt, stopFreeAt] = mayStop
      ? await Promise.all([freeAt(operationRule(deps.prefix, target.adapter, 'start', target.resource), at), freeAt(operationRule(deps.prefix, target.adapter, 'stop', target.resource), at)])
      : [null, null];
    const step = stepIdle({
      policy,
      state,
      reading,
      at,
      base,
      observed: observed?.state,
      guard: { startRule, startFreeAt, stopFreeAt, nextStart: mayStop ? nextScheduledStart(target.schedule, at) : null },
    });

    metrics.idleSignalValue.set({ target: target.name }, reading.value ?? Number.NaN);
    if (reading.failure) {
      metrics.idleSignalFailures.inc({ policy: policy.name, reason: reading.failure });
      // once per stretch of unknown readings; each is in status and at debug level
      if (state.last?.verdict !== 'unknown') logger.warn({ target: target.name, policy: policy.name, failure: reading.failure }, `[idle ${policy.name}] ${target.name}: ${reading.detail}; counts as active`);
    }
    logger.debug({ target: target.name, policy: policy.name, verdict: reading.verdict, value: reading.value }, `idle reading: ${reading.detail}`);

    await store.setIdleClock(target.name, clockOf(step.state));
    if (step.decisionChanged) {
      await store.setIdleDecision(target.name, step.state.decision);
      const decision = decide(target, at, override, step.state.decision);
      if (isActionable(decision)) {
        metrics.setTargetState('desired', target.name, target.adapter.name, decision.desired);
        await deps.actions.enqueueDecisions([decision], at);
      }
    }
    if (step.event) await report(target, step.event, at);
    return step;
  };

  async function report(target: ManagedTarget, event: IdleEvent, at: Date): Promise<void> {
    const labels = { target: target.name, provider: target.adapter.name };
    const log = logger.child(labels);
    switch (event.kind) {
      case 'idle-stop':
        metrics.idleStops.inc(labels);
        log.info({ reason: event.decision.reason }, `idle stop: ${event.decision.reason}`);
        await store.audit({ at: at.toISOString(), target: target.name, event: 'idle-stop', action: 'stop', reason: event.decision.reason });
        return;
      case 'wake':
        log.info({ reason: event.decision.reason }, `idle wake: ${event.decision.reason}`);
        await store.audit({ at: at.toISOString(), target: target.name, event: 'idle-wake', action: 'start', reason: event.decision.reason });
        return;
      case 'blocked':
        metrics.idleStopsBlocked.inc({ target: target.name, reason: event.block.label });
        log.info({ reason: event.block.reason }, event.block.reason);
        await store.audit({ at: at.toISOString(), target: target.name, event: 'idle-stop-blocked', action: 'stop', reason: event.block.reason });
        return;
      case 'released':
        log.info({ reason: event.reason }, `idle decision released: ${event.reason}`);
        await store.audit({ at: at.toISOString(), target: target.name, event: 'idle-released', reason: event.reason });
    }
  }
}
