import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { decide, isActionable } from '../planner/decide.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Action, DesiredState, ObservedState } from '../providers/provider.ts';
import { isProviderError, type ProviderError } from '../providers/provider-error.ts';
import { formatDuration } from '../util/duration.ts';
import type { ActionQueue } from './action-queue.ts';
import { jobPayloadSchema, type EnsurePayload, type ObservePayload } from './job-payloads.ts';
import type { Limiter } from './limiter.ts';
import { limitRules } from './limit-rules.ts';
import type { ManagedTarget } from './managed-target.ts';
import type { StatusReader } from './status-reader.ts';
import type { TargetStore } from './target-store.ts';

export interface ProcessorDeps {
  prefix: string;
  targets: ReadonlyMap<string, ManagedTarget>;
  limiter: Limiter;
  store: TargetStore;
  readStatus: StatusReader;
  queue: Pick<ActionQueue, 'enqueueDecisions' | 'enqueueObserve' | 'reviveFailed'>;
  metrics: Metrics;
  logger: Logger;
  /** the clock, read once per job run */
  now: () => Date;
}

/** Result of one run of a job, for logs and tests; a job that waits ends in a DelayedError instead. */
export type ProcessResult = 'done' | 'already' | 'superseded' | 'target-removed' | 'observed' | 'drift' | 'observe-limited';

const LOCK_TTL_MS = 120_000;
/**
 * Calls the provider accepted that never showed (a guest ignoring an ACPI shutdown, say) are sent again
 * this often, then the target is reported stuck instead of being asked forever.
 */
const MAX_REACTS = 3;

export const actionFor = (desired: DesiredState): Action => (desired === 'running' ? 'start' : 'stop');
const towards = (desired: DesiredState): ObservedState => (desired === 'running' ? 'starting' : 'stopping');
const away = (desired: DesiredState): ObservedState => (desired === 'running' ? 'stopping' : 'starting');
const opposite = (desired: DesiredState): ObservedState => (desired === 'running' ? 'stopped' : 'running');

/**
 * Moves the job back to delayed until `until` with its (possibly updated) payload; BullMQ does not count
 * this as an attempt, which is what a wait for a limit window or for a provider to settle is.
 */
async function wait(job: Job, token: string, until: Date, data: EnsurePayload | ObservePayload): Promise<never> {
  await job.updateData(data);
  await job.moveToDelayed(until.getTime(), token);
  throw new DelayedError();
}

/** Builds the BullMQ processor: ensure jobs carry decisions out, observe jobs read state and catch drift. */
export function createActionProcessor(deps: ProcessorDeps): (job: Job, token?: string) => Promise<ProcessResult> {
  const { targets, store, metrics, logger } = deps;
  // one child logger per target, made on first use: building a child per job showed in profiles
  const loggers = new Map<string, Logger>();
  const logFor = (target: ManagedTarget): Logger => {
    let child = loggers.get(target.name);
    if (!child) loggers.set(target.name, (child = logger.child({ target: target.name, provider: target.adapter.name })));
    return child;
  };

  /** what the idle sampler decided (decide's idle input); only a target with an idle policy has one */
  const idleDecisionOf = async (target: ManagedTarget) =>
    target.idle === undefined ? null : ((await store.idleFor([target.name])).get(target.name)?.decision ?? null);

  async function ensure(job: Job, token: string, target: ManagedTarget, payload: EnsurePayload, at: Date): Promise<ProcessResult> {
    let data = payload;
    if (Date.parse(data.since) > at.getTime()) {
      // prepared for an edge this replica's clock has not reached yet: run it at the edge, not before
      return wait(job, token, new Date(Date.parse(data.since)), data);
    }
    const adapter = target.adapter;
    const action = actionFor(data.desired);
    const log = logFor(target);

    const override = await store.getOverride(target.name);
    const decision = decide(target, at, override, await idleDecisionOf(target));
    if (decision.desired !== data.desired || decision.since.getTime() !== Date.parse(data.since)) {
      // The newest decision wins: a deferred stop whose window opens after the schedule turned back to
      // running sends nothing. The newer decision has its own job; one that became `any` has none.
      metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'superseded' });
      await store.clearDeferred(target.name);
      await store.audit({ at: at.toISOString(), target: target.name, event: 'superseded', action, reason: decision.reason });
      log.info({ action, job: job.id, reason: decision.reason }, `${action} superseded: ${decision.reason}`);
      return 'superseded';
    }

    metrics.setTargetState('desired', target.name, adapter.name, decision.desired);

    const read = await deps.readStatus(target, at, String(job.id));
    if (read.kind === 'limited') return wait(job, token, read.retryAt, data);
    const observed = read.observation.state;

    if (observed === data.desired) {
      await store.markDone(target.name, data.desired, new Date(data.since));
      await store.clearDeferred(target.name);
      if (data.phase === 'verify') {
        await store.audit({ at: at.toISOString(), target: target.name, event: 'reached', action, reason: data.reason });
        log.info({ action, job: job.id, reason: data.reason }, `${target.name} is ${observed}`);
        return 'done';
      }
      metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'already' });
      log.debug({ action, job: job.id, reason: data.reason }, `${target.name} already ${observed}`);
      return 'already';
    }

    if (data.phase === 'verify') {
      const waited = at.getTime() - new Date(data.actedAt ?? data.since).getTime();
      // Right after an accepted call the old state may still show (always, for providers without
      // transitional states). Past a grace period it means the call did not take, or someone undid it:
      // act again, inside the limits, rather than wait for the timeout and give up.
      const grace = adapter.capabilities.reportsTransitions ? 3 * target.poll.verifyMs : target.poll.timeoutMs / 3;
      const actAgain = observed === opposite(data.desired) && waited > grace;
      if (actAgain && data.reacts < MAX_REACTS) {
        log.warn({ action, job: job.id, observed: read.observation.raw }, `${target.name} still ${observed} ${formatDuration(waited)} after ${action}; acting again`);
        data = { ...data, phase: 'act', reacts: data.reacts + 1 };
      } else if (actAgain || waited > target.poll.timeoutMs) {
        const message = `[offhours] ${target.name} did not become ${data.desired} within ${formatDuration(target.poll.timeoutMs)} after ${action} (provider says ${read.observation.raw})`;
        metrics.failures.inc({ provider: adapter.name, reason: 'stuck' });
        metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'failed' });
        await store.audit({ at: at.toISOString(), target: target.name, event: 'stuck', action, reason: data.reason, detail: message });
        log.error({ action, job: job.id, observed: read.observation.raw }, message);
        throw new UnrecoverableError(message);
      } else {
        return wait(job, token, new Date(at.getTime() + target.poll.verifyMs), data);
      }
    }

    if (observed === towards(data.desired)) {
      // Already on its way (another replica, a person, or our own earlier attempt): wait, do not resend.
      return wait(job, token, new Date(at.getTime() + target.poll.verifyMs), { ...data, phase: 'verify', actedAt: at.toISOString() });
    }
    if (observed === away(data.desired) || observed === 'unknown') {
      const busy = data.busy + 1;
      if (busy * target.poll.verifyMs > target.poll.timeoutMs) {
        const message = `[offhours] ${target.name} stayed ${read.observation.raw} for ${formatDuration(target.poll.timeoutMs)}; cannot ${action} it`;
        metrics.failures.inc({ provider: adapter.name, reason: 'stuck' });
        metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'failed' });
        await store.audit({ at: at.toISOString(), target: target.name, event: 'stuck', action, reason: data.reason, detail: message });
        throw new UnrecoverableError(message);
      }
      return wait(job, token, new Date(at.getTime() + target.poll.verifyMs), { ...data, busy });
    }

    // observed is the opposite stable state: act, inside the provider's budget
    // The grant is stamped with the moment of sending, not the start of the job: a slow status read
    // before it must not eat into the window the provider counts from our request's arrival.
    const sendAt = new Date(Math.max(at.getTime(), deps.now().getTime()));
    const grant = await deps.limiter.take(limitRules(deps.prefix, adapter, action, target.resource), sendAt, String(job.id));
    if (!grant.granted) {
      const rule = adapter.limits[action];
      const why = `${adapter.name} allows ${rule ? `${rule.max} ${action} per ${formatDuration(rule.perMs)}` : `no more requests now`}; deferred to ${grant.retryAt.toISOString()}`;
      metrics.rateLimitDeferrals.inc({ provider: adapter.name, operation: action });
      await store.setDeferred(target.name, { action, until: grant.retryAt.toISOString(), reason: why });
      await store.audit({ at: at.toISOString(), target: target.name, event: 'deferred', action, reason: data.reason, detail: why });
      log.info({ action, job: job.id, until: grant.retryAt.toISOString() }, `${action} deferred: ${why}`);
      return wait(job, token, grant.retryAt, data);
    }

    const started = performance.now();
    try {
      const outcome = await (action === 'start' ? adapter.start(target.resource) : adapter.stop(target.resource));
      metrics.providerRequests.inc({ provider: adapter.name, operation: action, outcome: 'ok' });
      await store.clearDeferred(target.name);
      if (outcome.kind === 'already') {
        await store.markDone(target.name, data.desired, new Date(data.since));
        metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'already' });
        return 'already';
      }
      metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'accepted' });
      const since = new Date(data.since).getTime();
      if (since > 0) metrics.actionLag.observe({ provider: adapter.name, action }, Math.max(0, at.getTime() - since) / 1000);
      await store.audit({ at: at.toISOString(), target: target.name, event: 'accepted', action, reason: data.reason });
      log.info({ action, job: job.id, reason: data.reason }, `${action} accepted: ${data.reason}`);
      return wait(job, token, new Date(at.getTime() + target.poll.verifyMs), { ...data, phase: 'verify', actedAt: at.toISOString() });
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      if (!isProviderError(error)) throw error;
      return handleActionError(job, token, data, target, action, error, at);
    } finally {
      metrics.providerRequestDuration.observe({ provider: adapter.name, operation: action }, (performance.now() - started) / 1000);
    }
  }

  async function handleActionError(
    job: Job,
    token: string,
    data: EnsurePayload,
    target: ManagedTarget,
    action: Action,
    error: ProviderError,
    at: Date,
  ): Promise<never> {
    const adapter = target.adapter;
    metrics.providerRequests.inc({ provider: adapter.name, operation: action, outcome: error.failure });
    metrics.failures.inc({ provider: adapter.name, reason: error.failure });
    const log = logFor(target);
    switch (error.failure) {
      case 'throttled': {
        // A 429 on a call our limiter allowed is a defect of ours: count it, and never answer it by
        // resending; wait the provider's word or a whole window.
        metrics.providerThrottles.inc({ provider: adapter.name, operation: action });
        const rule = adapter.limits[action];
        const until = new Date(at.getTime() + (error.retryAfterMs ?? rule?.perMs ?? adapter.limits.all?.perMs ?? 60_000));
        log.error({ action, job: job.id, err: error.message, until: until.toISOString() }, 'provider throttled a call the limiter allowed');
        await store.setDeferred(target.name, { action, until: until.toISOString(), reason: error.message });
        return wait(job, token, until, data);
      }
      case 'conflict':
        // Busy, or already there: the next run re-reads status before anything is sent again.
        log.warn({ action, job: job.id, err: error.message }, `${action} refused for the current state; re-reading status`);
        return wait(job, token, new Date(at.getTime() + target.poll.verifyMs), { ...data, busy: data.busy + 1 });
      case 'transient':
        log.warn({ action, job: job.id, err: error.message, attempt: job.attemptsMade + 1 }, `${action} failed, will retry`);
        await job.updateData(data);
        throw error;
      default:
        await store.audit({ at: at.toISOString(), target: target.name, event: 'failed', action, reason: data.reason, detail: error.message });
        metrics.transitions.inc({ target: target.name, provider: adapter.name, action, result: 'failed' });
        log.error({ action, job: job.id, err: error.message }, `${action} failed for good`);
        throw new UnrecoverableError(error.message);
    }
  }

  async function observe(job: Job, data: ObservePayload, at: Date): Promise<ProcessResult> {
    const target = targets.get(data.target);
    if (!target || !target.enabled) return 'target-removed';
    try {
      const read = await deps.readStatus(target, at, String(job.id));
      if (read.kind === 'limited') return 'observe-limited';
      const decision = decide(target, at, await store.getOverride(target.name), await idleDecisionOf(target));
      metrics.setTargetState('desired', target.name, target.adapter.name, decision.desired);
      // `any` wants nothing, so no state is drift.
      if (!isActionable(decision) || read.observation.state !== opposite(decision.desired)) return 'observed';
      // Drift: it sits in the other stable state. The decision's job id is deterministic, so this is a
      // no-op when that job is still pending (e.g. waiting for a limit window).
      logger.info({ target: target.name, observed: read.observation.raw, desired: decision.desired }, `drift: ${target.name} is ${read.observation.state}, should be ${decision.desired}`);
      // a decision that failed earlier gets another go once the failure has cooled down
      await deps.queue.reviveFailed(decision, at, Math.max(10 * 60_000, target.poll.steadyMs));
      await deps.queue.enqueueDecisions([decision], at);
      return 'drift';
    } finally {
      await deps.queue.enqueueObserve(target, at);
    }
  }

  return async (job, token) => {
    const at = deps.now();
    const data = jobPayloadSchema.parse(job.data);
    if (data.kind === 'observe') return observe(job, data, at);
    const target = targets.get(data.target);
    if (!target || !target.enabled) return 'target-removed';
    // the lock is held in the job's name, so the same job re-run after its process died takes it back
    const lockToken = String(job.id);
    if (!(await store.lock(target.name, lockToken, LOCK_TTL_MS))) {
      // Another job of this target is acting; look again shortly rather than act twice.
      return wait(job, token ?? '', new Date(at.getTime() + 1_000), data);
    }
    try {
      return await ensure(job, token ?? '', target, data, at);
    } finally {
      await store.unlock(target.name, lockToken);
    }
  };
}
