import type { ManagedTarget } from '../queue/managed-target.ts';
import type { DeferredRecord, ObservedRecord, SavingsRecord, TargetStore } from '../queue/target-store.ts';
import type { ScheduleState } from '../schedule/compiled-schedule.ts';
import type { IdlePolicyConfig } from '../config/config-schema.ts';
import { idleStatus, type IdleStatus } from '../idle/idle-status.ts';
import { decide } from './decide.ts';
import { isActive, type Override } from './override.ts';

export interface TargetStatus {
  name: string;
  provider: string;
  resource: string;
  schedule: string;
  enabled: boolean;
  /** `any`: the schedule leaves the target alone */
  desired: ScheduleState;
  reason: string;
  since: string;
  observed: ObservedRecord | null;
  next: { at: string; state: ScheduleState; reason: string } | null;
  deferred: DeferredRecord | null;
  override: Override | null;
  /** desired and observed agree (transitional states toward the desired one count as not yet; `any` agrees with all) */
  inSync: boolean;
  savings: TargetSavings;
  /** the target's idle policy at work (last reading, time until an idle stop, blocked stops); null without one */
  idle: IdleStatus | null;
}

export interface TargetSavings {
  /** hours the target was observed stopped */
  stoppedHours: number;
  /** null for a target without one */
  costPerHour: number | null;
  /** money those hours saved; null for a target without a costPerHour */
  saved: number | null;
}

export interface StatusReport {
  at: string;
  targets: TargetStatus[];
  /** summed over the reported targets; `saved` counts only targets with a costPerHour */
  savings: { stoppedHours: number; saved: number };
}

/** Per target: desired and observed state, the reason, the next transition, any deferral, and the savings so far. */
export async function statusReport(input: { targets: readonly Pick<ManagedTarget, "name" | "provider" | "resource" | "schedule" | "scheduleName" | "enabled" | "costPerHour" | "idle">[]; store: TargetStore; at: Date; only?: string; idlePolicies?: Readonly<Record<string, IdlePolicyConfig>> }): Promise<StatusReport> {
  const { at } = input;
  const [observed, deferred, overrides, savings] = await Promise.all([
    input.store.allObserved(),
    input.store.allDeferred(),
    input.store.allOverrides(),
    input.store.allSavings(),
  ]);
  const idleStates = input.targets.some((target) => target.idle !== undefined) ? await input.store.allIdle() : new Map<string, never>();
  const targets = input.targets
    .filter((target) => !input.only || target.name === input.only)
    .map((target): TargetStatus => {
      const override = overrides.get(target.name);
      const idleState = idleStates.get(target.name);
      const decision = decide(target, at, override, idleState?.decision);
      const policy = target.idle === undefined ? undefined : input.idlePolicies?.[target.idle];
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
        inSync: decision.desired === 'any' || seen?.state === decision.desired,
        savings: targetSavings(savings.get(target.name), target.costPerHour),
        idle: policy ? idleStatus({ policy: target.idle!, config: policy, state: idleState, decision, at }) : null,
      };
    });
  const total = targets.reduce((sum, target) => ({ stoppedHours: sum.stoppedHours + target.savings.stoppedHours, saved: sum.saved + (target.savings.saved ?? 0) }), { stoppedHours: 0, saved: 0 });
  return { at: at.toISOString(), targets, savings: total };
}

function targetSavings(record: SavingsRecord | undefined, costPerHour: number | undefined): TargetSavings {
  return {
    stoppedHours: (record?.stoppedSeconds ?? 0) / 3600,
    costPerHour: costPerHour ?? null,
    saved: costPerHour === undefined ? null : (record?.saved ?? 0),
  };
}
