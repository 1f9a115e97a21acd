import { compileSchedule, type CompileDefaults } from './compile-schedule.ts';
import type { ScheduleState } from './compiled-schedule.ts';
import {
  ScheduleError,
  constantScheduleSchema,
  expectedScheduleForms,
  scheduleFormsByKey,
  scheduleSpecSchema,
  uptimeStringSchema,
  type ScheduleSpec,
} from './schedule-spec.ts';

/**
 * What `offhours eval --json` prints: the state at one instant (`any`: the schedule leaves the target
 * alone), why, since when, and what comes next.
 */
export interface ScheduleEvaluation {
  state: ScheduleState;
  reason: string;
  /** ISO instant of the change that led to this state, within a year back; null if none */
  since: string | null;
  next: { at: string; state: ScheduleState; reason: string } | null;
}

/**
 * Parses any schedule form (an object, or the same as a JSON string), compiles it and evaluates it
 * at `at`. Throws ScheduleError, with a path inside the schedule, on bad input. `defaults.name`
 * names the schedule in reasons (default `eval`).
 */
export function evaluateSchedule(spec: unknown, at: Date, defaults: CompileDefaults & { name?: string }): ScheduleEvaluation {
  if (Number.isNaN(at.getTime())) throw new ScheduleError('invalid instant: expected an ISO date-time');
  const schedule = compileSchedule(defaults.name ?? 'eval', parseScheduleSpec(spec), defaults);
  const { state, reason } = schedule.stateAt(at);
  const since = schedule.lastTransition(at);
  const next = schedule.nextTransition(at);
  return {
    state,
    reason,
    since: since ? since.at.toISOString() : null,
    next: next ? { at: next.at.toISOString(), state: next.state, reason: next.reason } : null,
  };
}

/** Any schedule form, or the same as JSON; a bare string that is not JSON is a kube-downscaler uptime. */
export function parseScheduleSpec(spec: unknown): ScheduleSpec {
  let value = spec;
  if (typeof spec === 'string') {
    value = spec.trim();
    if (!constantScheduleSchema.safeParse(value).success) {
      try {
        value = JSON.parse(spec);
      } catch {
        if (uptimeStringSchema.safeParse(value).success) return value as string;
        throw new ScheduleError(expectedScheduleForms(spec));
      }
    }
  }
  // Picking the form by its key reports the error inside it (`running.0`), not "no form matched".
  const key = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(scheduleFormsByKey).find((name) => name in value) : undefined;
  const form = key ? scheduleFormsByKey[key as keyof typeof scheduleFormsByKey] : typeof value === 'object' && value !== null ? undefined : scheduleSpecSchema;
  const parsed = form?.safeParse(value);
  if (parsed?.success) return parsed.data;
  const issue = parsed?.error.issues[0];
  if (!issue || issue.code === 'invalid_union') throw new ScheduleError(expectedScheduleForms());
  throw new ScheduleError(issue.message, issue.path.filter((part) => typeof part !== 'symbol'));
}
