import type { LimitRule } from '../providers/provider.ts';
import { windowMargin } from '../queue/limit-rules.ts';
import type { CompiledSchedule } from '../schedule/compiled-schedule.ts';
import { formatDuration } from '../util/duration.ts';
import type { IdlePolicy } from './idle-policy.ts';
import type { IdleState } from './idle-state.ts';
import { nextScheduledStart } from './idle-stop-guard.ts';

/** An idle entry of `plan`, shaped like its transitions so both print and sort together. */
export interface PlannedIdle {
  target: string;
  at: string;
  state: 'stopped';
  action: 'stop';
  reason: string;
  /** when an idle stop would be sent: the projected instant, or null when none is */
  runsAt: string | null;
  /** idle-blocked: no idle stop in [at, note's until); idle-projected: the stop the current idle run leads to; idle-stopped: stopped for idleness now */
  outcome: 'idle-blocked' | 'idle-projected' | 'idle-stopped';
  note?: string;
}

interface Span {
  from: number;
  to: number;
  why: string;
}

/**
 * Where a target's idle policy cannot stop it, as the quota guard will decide (idle-stop-guard.ts),
 * and where its current idle run leads. Pure. Per running window: the start at the window's edge
 * spends the start budget for one start window, and no idle stop lands within one start window of the
 * next scheduled start. Providers without a start limit never block.
 */
export function planIdle(input: {
  target: string;
  schedule: CompiledSchedule;
  policy: Pick<IdlePolicy, 'name' | 'forMs' | 'minRunningMs' | 'condition'>;
  startRule: LimitRule | undefined;
  from: Date;
  until: Date;
  /** the idle record at `from` (read from Redis for a plan from now); absent: unknown */
  state?: IdleState | undefined;
}): PlannedIdle[] {
  const { target, schedule, policy, startRule, from, until } = input;
  const entries: PlannedIdle[] = [];
  const spans: Span[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();

  if (startRule) {
    const window = startRule.perMs + windowMargin(startRule.perMs);
    const limit = `${startRule.max} start per ${formatDuration(startRule.perMs)}`;
    for (const { start, end, edge } of runningWindows(schedule, from, until)) {
      const earliest = start + Math.max(policy.forMs, policy.minRunningMs);
      if (edge && start + window > earliest) {
        spans.push({ from: earliest, to: Math.min(start + window, end), why: `the start at ${iso(start)} spends the start budget (${limit})` });
      }
      const next = Number.isFinite(end) ? nextScheduledStart(schedule, new Date(end - 1)) : null;
      if (next && next.getTime() - window < end) {
        spans.push({ from: Math.max(earliest, next.getTime() - window), to: end, why: `the next scheduled start at ${next.toISOString()} is within one start window (${limit})` });
      }
    }
  }
  for (const span of spans) {
    if (span.to <= span.from || span.to <= from.getTime() || span.from > until.getTime()) continue;
    entries.push({ target, at: iso(span.from), state: 'stopped', action: 'stop', reason: `idle stops blocked until ${iso(span.to)}: ${span.why}`, runsAt: null, outcome: 'idle-blocked' });
  }

  const state = input.state;
  const windowStart = schedule.lastTransition(from)?.at.getTime() ?? 0;
  if (state?.decision?.desired === 'stopped' && Date.parse(state.decision.at) >= windowStart && schedule.stateAt(from).state === 'running') {
    const next = nextScheduledStart(schedule, from);
    entries.push({ target, at: state.decision.at, state: 'stopped', action: 'stop', reason: state.decision.reason, runsAt: null, outcome: 'idle-stopped', note: `stopped for idleness; stays stopped until ${next ? `the scheduled start at ${next.toISOString()}` : 'an override'}` });
  } else if (state?.idleSince && state.runningSince && schedule.stateAt(from).state === 'running') {
    const due = Math.max(Date.parse(state.idleSince) + policy.forMs, Date.parse(state.runningSince) + policy.minRunningMs);
    const blocking = spans.find((span) => due >= span.from && due < span.to);
    const runsAt = blocking ? blocking.to : due;
    const ends = schedule.nextTransition(from);
    if (!ends || runsAt < ends.at.getTime()) {
      entries.push({
        target,
        at: iso(due),
        state: 'stopped',
        action: 'stop',
        reason: `idle since ${state.idleSince} (${policy.condition}): idle stop after ${formatDuration(policy.forMs)} if it stays idle`,
        runsAt: iso(runsAt),
        outcome: 'idle-projected',
        ...(blocking ? { note: `blocked until ${iso(blocking.to)}: ${blocking.why}` } : {}),
      });
    }
  }
  return entries;
}

/** The running windows that overlap [from, until]; `edge` is false for one that began before any known edge (always). */
function runningWindows(schedule: CompiledSchedule, from: Date, until: Date): { start: number; end: number; edge: boolean }[] {
  const windows: { start: number; end: number; edge: boolean }[] = [];
  const horizon = until.getTime();
  let open: { start: number; edge: boolean } | null = null;
  if (schedule.stateAt(from).state === 'running') {
    const last = schedule.lastTransition(from);
    open = { start: last ? last.at.getTime() : from.getTime(), edge: last !== null };
  }
  for (const transition of schedule.nextTransitions(from, until)) {
    if (transition.state === 'running' && !open) open = { start: transition.at.getTime(), edge: true };
    else if (transition.state !== 'running' && open) {
      windows.push({ ...open, end: transition.at.getTime() });
      open = null;
    }
  }
  if (open) windows.push({ ...open, end: schedule.nextTransition(new Date(horizon))?.at.getTime() ?? Number.POSITIVE_INFINITY });
  return windows;
}
