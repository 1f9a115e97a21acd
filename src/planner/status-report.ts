import type { ManagedTarget } from '../queue/managed-target.ts';
import type { DeferredRecord, ObservedRecord, TargetStore } from '../queue/target-store.ts';
import { decide } from './decide.ts';
import { isActive, type Override } from './override.ts';

export interface TargetStatus {
  name: string;
  provider: string;
  resource: string;
  schedule: string;
  enabled: boolean;
  desired: 'running' | 'stopped';
  reason: string;
  since: string;
  observed: ObservedRecord | null;
  next: { at: string; state: 'running' | 'stopped'; reason: string } | null;
  deferred: DeferredRecord | null;
  override: Override | null;
  /** desired and observed agree (transitional states toward the desired one count as not yet) */
  inSync: boolean;
}

export interface StatusReport {
  at: string;
  targets: TargetStatus[];
}

/** Per target: desired and observed state, the reason, the next transition and any deferral. */
export async function statusReport(input: { targets: readonly Pick<ManagedTarget, "name" | "provider" | "resource" | "schedule" | "scheduleName" | "enabled">[]; store: TargetStore; at: Date; only?: string }): Promise<StatusReport> {
  const { at } = input;
  const [observed, deferred, overrides] = await Promise.all([input.store.allObserved(), input.store.allDeferred(), input.store.allOverrides()]);
  const targets = input.targets
    .filter((target) => !input.only || target.name === input.only)
    .map((target): TargetStatus => {
      const override = overrides.get(target.name);
      const decision = decide(target, at, override);
      const next = target.schedule.nextTransition(at);
      const seen = observed.get(target.name) ?? null;
      return {
        name: target.name,
        provider: target.provider,
        resource: target.resource,
        schedule: target.scheduleName,
        enabled: target.enabled,
        desired: decision.desired,
        reason: decision.reason,
        since: decision.since.toISOString(),
        observed: seen,
        next: next ? { at: next.at.toISOString(), state: next.state, reason: next.reason } : null,
        deferred: deferred.get(target.name) ?? null,
        override: isActive(override, at) ? override : null,
        inSync: seen?.state === decision.desired,
      };
    });
  return { at: at.toISOString(), targets };
}
