import type { Decision } from '../planner/decide.ts';
import type { ObservedState } from '../providers/provider.ts';
import { formatDuration } from '../util/duration.ts';
import type { IdleReading } from './idle-reading.ts';
import { maxReadingGapMs, type IdlePolicy } from './idle-policy.ts';
import type { IdleBlock, IdleDecision, IdleState } from './idle-state.ts';
import { idleStopGuard, type StopGuardInput } from './idle-stop-guard.ts';

export interface IdleStepInput {
  policy: Pick<IdlePolicy, 'forMs' | 'everyMs' | 'jitterMs' | 'timeoutMs' | 'wakeOn' | 'minRunningMs' | 'minStoppedMs'>;
  state: IdleState;
  reading: IdleReading;
  at: Date;
  /** the decision of schedule and override alone (decide without idle) */
  base: Decision;
  /** what the provider last said of the target */
  observed: ObservedState | undefined;
  guard: Omit<StopGuardInput, 'at'>;
}

export type IdleEvent =
  | { kind: 'idle-stop'; decision: IdleDecision }
  | { kind: 'wake'; decision: IdleDecision }
  | { kind: 'blocked'; block: IdleBlock }
  /** the schedule or an override took over from an idle decision */
  | { kind: 'released'; reason: string };

export interface IdleStep {
  state: IdleState;
  /** the decision decide() reads changed: the sampler stores it and enqueues the new desired state */
  decisionChanged: boolean;
  event: IdleEvent | null;
}

/** Readable durations in reasons: whole seconds from a minute up, tenths below. */
function roughly(ms: number): string {
  return formatDuration(ms >= 60_000 ? Math.round(ms / 1000) * 1000 : Math.round(ms / 100) * 100);
}

/**
 * One reading through the idle clock. Pure. The clock runs only inside a running window (no override,
 * schedule says running) while the target is seen running; `for` must be covered by consecutive idle
 * readings, and one active or unknown reading (or a gap between readings) starts it again. When it is
 * covered (and minRunning too), the idle stop is decided unless the provider's start limit blocks it.
 * Hysteresis: an idle stop holds until the schedule's next start or an override, or, with
 * `wakeOn: active`, an active reading (never an unknown one) after minStopped.
 */
export function stepIdle(input: IdleStepInput): IdleStep {
  const { policy, state, reading, at, base } = input;
  const now = at.getTime();
  const reset = { idleSince: null, runningSince: null, blocked: null, last: reading };

  if (base.source === 'override' || base.desired !== 'running') {
    const why = base.source === 'override' ? 'an override' : 'the schedule';
    const event: IdleEvent | null = state.decision ? { kind: 'released', reason: `${why} took over: ${base.reason}` } : null;
    return { state: { ...state, ...reset, decision: null }, decisionChanged: state.decision !== null, event };
  }

  // A decision made in an earlier running window is over: the schedule started this one since.
  const held = state.decision && Date.parse(state.decision.at) >= base.since.getTime() ? state.decision : null;
  const lapsed = held !== state.decision;

  if (held?.desired === 'stopped') {
    const stoppedFor = now - Date.parse(held.at);
    if (policy.wakeOn === 'active' && reading.verdict === 'active' && stoppedFor >= policy.minStoppedMs) {
      const decision: IdleDecision = { desired: 'running', at: at.toISOString(), reason: `idle signal active again (${reading.detail}) after ${roughly(stoppedFor)} stopped for idleness` };
      return { state: { ...state, ...reset, decision }, decisionChanged: true, event: { kind: 'wake', decision } };
    }
    return { state: { ...state, ...reset, decision: held }, decisionChanged: false, event: null };
  }

  if (input.observed !== 'running') {
    return { state: { ...state, ...reset, decision: held }, decisionChanged: lapsed, event: null };
  }

  const runningSince = state.runningSince ?? at.toISOString();
  const consecutive = state.last !== null && now - Date.parse(state.last.at) <= maxReadingGapMs(policy);
  const idleSince = reading.verdict !== 'idle' ? null : consecutive && state.idleSince ? state.idleSince : at.toISOString();
  const clock = { ...state, runningSince, idleSince, last: reading, decision: held };
  const idleFor = idleSince ? now - Date.parse(idleSince) : -1;
  const due = idleSince !== null && idleFor >= policy.forMs && now - Date.parse(runningSince) >= policy.minRunningMs;
  if (!due) return { state: { ...clock, blocked: null }, decisionChanged: lapsed, event: null };

  const block = idleStopGuard({ at, ...input.guard });
  if (block) {
    const same = state.blocked?.label === block.label;
    const blocked: IdleBlock = { since: same ? state.blocked!.since : at.toISOString(), label: block.label, reason: block.reason, until: block.until?.toISOString() ?? null };
    return { state: { ...clock, blocked }, decisionChanged: lapsed, event: same ? null : { kind: 'blocked', block: blocked } };
  }
  const decision: IdleDecision = { desired: 'stopped', at: at.toISOString(), reason: `idle ${roughly(idleFor)} (${reading.detail} for ${formatDuration(policy.forMs)})` };
  return { state: { ...state, ...reset, decision }, decisionChanged: true, event: { kind: 'idle-stop', decision } };
}
