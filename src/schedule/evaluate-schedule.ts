import { compileSchedule } from './compile-schedule.ts';
import type { ScheduleState } from './compiled-schedule.ts';
import {
  ScheduleError,
  constantScheduleSchema,
  cronScheduleSchema,
  periodsScheduleSchema,
  scheduleSpecSchema,
  type ScheduleSpec,
} from './schedule-spec.ts';

/** What `offhours eval --json` prints: the state at one instant, since when, and what comes next. */
export interface ScheduleEvaluation {
  state: ScheduleState;
  reason: string;
  /** ISO instant of the change that led to this state, within a year back; null if none */
  since: string | null;
  next: { at: string; state: ScheduleState; reason: string } | null;
}

const EXPECTED = 'expected "always", "never", {running: [...]} or {cron: {start, stop}}';

/**
 * Parses any schedule form (an object, or the same as a JSON string), compiles it and evaluates it
 * at `at`. Throws ScheduleError, with a path inside the schedule, on bad input. `defaults.name`
 * names the schedule in reasons (default `eval`).
 */
export function evaluateSchedule(
  spec: unknown,
  at: Date,
  defaults: { timezone: string; name?: string },
): ScheduleEvaluation {
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

function parseScheduleSpec(spec: unknown): ScheduleSpec {
  let value = spec;
  if (typeof spec === 'string') {
    value = spec.trim();
    if (!constantScheduleSchema.safeParse(value).success) {
      try {
        value = JSON.parse(spec);
      } catch {
        throw new ScheduleError(`${EXPECTED} as JSON, not ${JSON.stringify(spec)}`);
      }
    }
  }
  // Picking the form by its key reports the error inside it (`running.0`), not "no form matched".
  const form =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? 'cron' in value
        ? cronScheduleSchema
        : 'running' in value
          ? periodsScheduleSchema
          : undefined
      : scheduleSpecSchema;
  const parsed = form?.safeParse(value);
  if (parsed?.success) return parsed.data;
  const issue = parsed?.error.issues[0];
  if (!issue || issue.code === 'invalid_union') throw new ScheduleError(EXPECTED);
  throw new ScheduleError(issue.message, issue.path.filter((part) => typeof part !== 'symbol'));
}
