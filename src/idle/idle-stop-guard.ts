import type { LimitRule } from '../providers/provider.ts';
import { windowMargin } from '../queue/limit-rules.ts';
import type { CompiledSchedule } from '../schedule/compiled-schedule.ts';
import { formatDuration } from '../util/duration.ts';
import type { IdleBlockLabel } from './idle-state.ts';

export interface StopGuardInput {
  at: Date;
  /** the provider's start limit (as configured, without our margin); none: starts are free */
  startRule: LimitRule | undefined;
  /** when the start budget has room again, if it is spent now */
  startFreeAt: Date | null;
  /** when the stop budget has room again, if it is spent now: the stop would go out then */
  stopFreeAt: Date | null;
  /** the schedule's next start edge, if any */
  nextStart: Date | null;
}

export interface StopGuardBlock {
  label: IdleBlockLabel;
  reason: string;
  until: Date | null;
}

/**
 * Quota-aware planning: an idle stop is sent only when the target could be started again at once
 * (its start budget has room) and the stop lands more than one start window before the next scheduled
 * start. Otherwise a provider that allows one start per hour (EMQX) could leave a target stopped that
 * its schedule wants up. Pure; null when the stop may go.
 */
export function idleStopGuard(input: StopGuardInput): StopGuardBlock | null {
  const { at, startRule } = input;
  if (!startRule) return null;
  const limit = `${startRule.max} start per ${formatDuration(startRule.perMs)}`;
  if (input.startFreeAt && input.startFreeAt.getTime() > at.getTime()) {
    return {
      label: 'start-budget',
      reason: `idle stop blocked: the start budget is spent until ${input.startFreeAt.toISOString()} (${limit}); stopped now, it could not be started again before then`,
      until: input.startFreeAt,
    };
  }
  const window = startRule.perMs + windowMargin(startRule.perMs);
  const stopsAt = Math.max(at.getTime(), input.stopFreeAt?.getTime() ?? 0);
  if (input.nextStart && input.nextStart.getTime() - stopsAt < window) {
    return {
      label: 'next-start',
      reason: `idle stop blocked: the next scheduled start at ${input.nextStart.toISOString()} is within one start window (${limit})`,
      until: input.nextStart,
    };
  }
  return null;
}

/** The schedule's next edge to running after `from`, within the few edges that can separate them. */
export function nextScheduledStart(schedule: CompiledSchedule, from: Date): Date | null {
  let edge = schedule.nextTransition(from);
  for (let hops = 0; edge && edge.state !== 'running' && hops < 8; hops++) edge = schedule.nextTransition(edge.at);
  return edge?.state === 'running' ? edge.at : null;
}
