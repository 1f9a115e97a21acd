import type { IdlePolicyConfig } from '../config/config-schema.ts';
import type { Decision } from '../planner/decide.ts';
import { formatDuration } from '../util/duration.ts';
import type { IdleReading } from './idle-reading.ts';
import { resolveIdlePolicy } from './idle-policy.ts';
import type { IdleBlock, IdleDecision, IdleState, NativeIdleRecord } from './idle-state.ts';

export type IdlePhase = 'native' | 'override' | 'outside-window' | 'stopped' | 'not-read' | 'waiting' | 'blocked' | 'idle' | 'unknown' | 'active';

/** A target's idle policy as `status` shows it. */
export interface IdleStatus {
  policy: string;
  type: IdlePolicyConfig['type'];
  phase: IdlePhase;
  /** one line of human words: what the policy is doing and what comes next */
  summary: string;
  last: IdleReading | null;
  /** start of the current run of idle readings */
  idleSince: string | null;
  /** when the idle stop comes if the signal stays idle; null when none is coming */
  stopAt: string | null;
  /** the time until then, `12m30s` */
  stopIn: string | null;
  blocked: IdleBlock | null;
  /** the idle stop (or wake) in force */
  decision: IdleDecision | null;
  native: NativeIdleRecord | null;
}

/**
 * Pure: the idle side of a target's status from its policy, its idle record and the decision decide()
 * made with it. Times are ISO strings, like the rest of the status report.
 */
export function idleStatus(input: { policy: string; config: IdlePolicyConfig; state: IdleState | undefined; decision: Decision; at: Date }): IdleStatus {
  const { config, decision, at } = input;
  const state = input.state;
  const view = (phase: IdlePhase, summary: string, stopAt: number | null = null): IdleStatus => ({
    policy: input.policy,
    type: config.type,
    phase,
    summary,
    last: state?.last ?? null,
    idleSince: state?.idleSince ?? null,
    stopAt: stopAt === null ? null : new Date(stopAt).toISOString(),
    stopIn: stopAt === null ? null : formatDuration(Math.max(0, Math.round((stopAt - at.getTime()) / 1000) * 1000)),
    blocked: phase === 'blocked' ? (state?.blocked ?? null) : null,
    decision: decision.source === 'idle' ? (state?.decision ?? null) : null,
    native: state?.native ?? null,
  });

  if (config.type === 'clickhouse-native') {
    const native = state?.native;
    const wanted = config.idleScaling ? `idle scaling after ${config.idleTimeoutMinutes}m without queries` : 'idle scaling off';
    if (!native) return view('native', `ClickHouse ${wanted}: not applied yet`);
    if (native.error) return view('native', `ClickHouse ${wanted}: not applied (${native.error})`);
    const reported = native.idleScaling === null ? 'unreported' : native.idleScaling ? `on, ${native.idleTimeoutMinutes ?? '?'}m` : 'off';
    return view('native', `ClickHouse ${wanted}: applied at ${native.at} (ClickHouse reports ${reported}; service ${native.state ?? 'unknown'})`);
  }

  const policy = resolveIdlePolicy(input.policy, config);
  if (decision.source === 'override') return view('override', 'an override decides: idle readings do not count');
  if (decision.source === 'idle' && decision.desired === 'stopped') {
    const until = policy.wakeOn === 'active' ? "the schedule's next start, an override or an active reading" : "the schedule's next start or an override";
    return view('stopped', `stopped for idleness since ${decision.since.toISOString()} (${decision.reason}); stays stopped until ${until}`);
  }
  if (decision.desired !== 'running') return view('outside-window', 'outside a running window: the idle clock does not run');
  const last = state?.last;
  if (!state || !last) return view('not-read', 'no reading yet');
  if (state.blocked) return view('blocked', state.blocked.reason);
  if (state.runningSince === null) return view('waiting', `the target is not seen running: the idle clock starts once it runs (last reading: ${last.detail})`);
  if (state.idleSince !== null) {
    const stopAt = Math.max(Date.parse(state.idleSince) + policy.forMs, Date.parse(state.runningSince) + policy.minRunningMs);
    const idleFor = formatDuration(Math.max(0, Math.round((at.getTime() - Date.parse(state.idleSince)) / 1000) * 1000));
    return view('idle', `idle for ${idleFor} (${last.detail}; stops after ${formatDuration(policy.forMs)} idle): idle stop at ${new Date(stopAt).toISOString()} if it stays idle`, stopAt);
  }
  if (last.verdict === 'unknown') return view('unknown', `last reading unknown (${last.detail}): counts as active`);
  return view('active', `active (${last.detail})`);
}
