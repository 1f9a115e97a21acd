import type { CompiledSchedule } from '../schedule/compiled-schedule.ts';
import type { DesiredState } from '../providers/provider.ts';
import { isActive, type Override } from './override.ts';

/** What the planner needs of a target; config's ResolvedTarget satisfies it. */
export interface PlannedTarget {
  name: string;
  schedule: CompiledSchedule;
}

/** A decision is a value with its reason: logs, metrics, plan and the audit trail all reuse it. */
export interface Decision {
  target: string;
  desired: DesiredState;
  /**
   * When the current desired state began: the last schedule edge, or when the override was set.
   * Part of the job id, so every replica and every restart names the same piece of work the same way.
   */
  since: Date;
  reason: string;
  source: 'schedule' | 'override';
}

const BEGINNING = new Date(0);

/** Desired state of a target at an instant. Pure: the same inputs give the same decision. */
export function decide(target: PlannedTarget, at: Date, override?: Override): Decision {
  if (isActive(override, at)) {
    const who = override.by ? ` by ${override.by}` : '';
    const why = override.reason ? `: ${override.reason}` : '';
    return {
      target: target.name,
      desired: override.state,
      since: new Date(override.setAt),
      reason: `override ${override.state} until ${override.until}${who}${why}`,
      source: 'override',
    };
  }
  const { state, reason } = target.schedule.stateAt(at);
  const last = target.schedule.lastTransition(at);
  return { target: target.name, desired: state, since: last ? last.at : BEGINNING, reason, source: 'schedule' };
}
