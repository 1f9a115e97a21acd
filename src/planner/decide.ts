import type { CompiledSchedule, ScheduleState } from '../schedule/compiled-schedule.ts';
import type { DesiredState } from '../providers/provider.ts';
import type { IdleDecision } from '../idle/idle-state.ts';
import { isActive, describeOverride, type Override } from './override.ts';

/** What the planner needs of a target; config's ResolvedTarget satisfies it. */
export interface PlannedTarget {
  name: string;
  schedule: CompiledSchedule;
}

/** A decision is a value with its reason: logs, metrics, plan and the audit trail all reuse it. */
export interface Decision {
  target: string;
  /** `any`: the schedule leaves the target alone; nothing is enqueued and nothing is sent */
  desired: ScheduleState;
  /**
   * When the current desired state began: the last schedule edge, when the override was set, or when
   * the idle sampler decided.
   * Part of the job id, so every replica and every restart names the same piece of work the same way.
   */
  since: Date;
  reason: string;
  source: 'schedule' | 'override' | 'idle';
}

/** A decision that asks for a state: the only kind the queue carries out. */
export type ActionableDecision = Decision & { desired: DesiredState };

export function isActionable(decision: Decision): decision is ActionableDecision {
  return decision.desired !== 'any';
}

const BEGINNING = new Date(0);

/**
 * Desired state of a target at an instant. Pure: the same inputs give the same decision. An override
 * beats everything; the idle sampler's decision (an idle stop, or a wake) counts inside the running
 * window it was made in, until an override is set after it.
 */
export function decide(target: PlannedTarget, at: Date, override?: Override, idle?: IdleDecision | null): Decision {
  if (isActive(override, at)) {
    return {
      target: target.name,
      desired: override.state,
      since: new Date(override.setAt),
      reason: describeOverride(override),
      source: 'override',
    };
  }
  const { state, reason } = target.schedule.stateAt(at);
  const last = target.schedule.lastTransition(at);
  if (idle && state === 'running' && idleHolds(idle, last ? last.at : BEGINNING, override)) {
    return { target: target.name, desired: idle.desired, since: new Date(idle.at), reason: idle.reason, source: 'idle' };
  }
  return { target: target.name, desired: state, since: last ? last.at : BEGINNING, reason, source: 'schedule' };
}

function idleHolds(idle: IdleDecision, windowStart: Date, override: Override | undefined): boolean {
  const made = Date.parse(idle.at);
  return made >= windowStart.getTime() && !(override && Date.parse(override.setAt) >= made);
}
