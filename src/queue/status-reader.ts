import type { Logger } from 'pino';
import type { Limiter } from './limiter.ts';
import { limitRules } from './limit-rules.ts';
import type { ManagedTarget } from './managed-target.ts';
import type { TargetStore } from './target-store.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Observation } from '../providers/provider.ts';
import { isProviderError } from '../providers/provider-error.ts';

export type StatusRead = { kind: 'observed'; observation: Observation } | { kind: 'limited'; retryAt: Date; reason: string };

export interface StatusReaderDeps {
  prefix: string;
  limiter: Limiter;
  store: TargetStore;
  metrics: Metrics;
  logger: Logger;
  /** monotonic-enough wall clock for request durations; the decision instant is `at` */
  now: () => number;
}

export type StatusReader = (target: ManagedTarget, at: Date, id: string) => Promise<StatusRead>;

/**
 * Reads a target's state inside the provider's status budget, records it for status/plan and the
 * observed-state gauge, and accrues stopped time (the basis of estimated savings).
 */
export function createStatusReader(deps: StatusReaderDeps): StatusReader {
  const { prefix, limiter, store, metrics, logger, now } = deps;

  return async (target, at, id) => {
    const adapter = target.adapter;
    const grant = await limiter.take(limitRules(prefix, adapter, 'status', target.resource), at, id);
    if (!grant.granted) {
      metrics.rateLimitDeferrals.inc({ provider: adapter.name, operation: 'status' });
      return { kind: 'limited', retryAt: grant.retryAt, reason: `status budget of ${adapter.name} spent (${grant.blockedBy})` };
    }
    const started = now();
    let observation: Observation;
    try {
      observation = await adapter.status(target.resource);
      metrics.providerRequests.inc({ provider: adapter.name, operation: 'status', outcome: 'ok' });
    } catch (error) {
      const outcome = isProviderError(error) ? error.failure : 'transient';
      metrics.providerRequests.inc({ provider: adapter.name, operation: 'status', outcome });
      if (isProviderError(error) && error.failure === 'throttled') {
        metrics.providerThrottles.inc({ provider: adapter.name, operation: 'status' });
        logger.error({ target: target.name, err: error.message }, 'provider throttled a status read the limiter allowed');
        const rule = adapter.limits.status;
        const fallback = rule ?? adapter.limits.all;
        const waitMs = error.retryAfterMs ?? (fallback ? fallback.perMs / fallback.max : 60_000);
        return { kind: 'limited', retryAt: new Date(at.getTime() + waitMs), reason: error.message };
      }
      throw error;
    } finally {
      metrics.providerRequestDuration.observe({ provider: adapter.name, operation: 'status' }, (now() - started) / 1000);
    }
    metrics.setTargetState('observed', target.name, adapter.name, observation.state);
    await store.setObserved(target.name, { state: observation.state, raw: observation.raw, at: at.toISOString() });
    // Accrued in Redis against the previous observation, whichever replica made it, so every replica's
    // counters add up to the target's stopped time. Incrementing by 0 makes the series exist from the
    // first reading, so increase() sees the first stretch too.
    const accrued = await store.accrueStopped(target.name, { state: observation.state, at }, target.costPerHour);
    const labels = { target: target.name, provider: adapter.name };
    metrics.targetStoppedSeconds.inc(labels, accrued.stoppedSeconds);
    if (target.costPerHour !== undefined) metrics.estimatedSavings.inc(labels, accrued.saved);
    return { kind: 'observed', observation };
  };
}
