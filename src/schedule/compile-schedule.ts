import { Cron } from 'croner';
import type { CompiledSchedule, ScheduleState } from './compiled-schedule.ts';
import { compileCustodian } from './cloud-custodian.ts';
import { parseDayOverrides, withDayOverrides, type ReadCalendar } from './day-overrides.ts';
import { instanceSchedulerModel } from './instance-scheduler.ts';
import { compileKubeDownscaler } from './kube-downscaler.ts';
import { parsePeriodWindow } from './period-window.ts';
import { periodsModel } from './periods-model.ts';
import { ScheduleError, type CronScheduleSpec, type ScheduleSpec } from './schedule-spec.ts';
import { constantSchedule, wallSchedule, type WallModel } from './wall-schedule.ts';
import { isValidTimezone, zonedTime, type WallTime } from './zoned-time.ts';

export interface CompileDefaults {
  /** for schedules that name no timezone */
  timezone: string;
  /** reads `.ics` files named in except/include; the config loader resolves them relative to the config file */
  readCalendar?: ReadCalendar | undefined;
}

/**
 * Compiles any schedule form into the one window model the planner reads.
 *
 * Every form is evaluated in local wall time (see zoned-time.ts) and only its edges are mapped to
 * instants (wall-schedule.ts), so all forms share the DST rule: an edge in a skipped hour happens at
 * the first valid instant after it, an edge in a repeated hour at its first occurrence.
 *
 * Cron pairs (croner; 5 fields, or 6 with seconds first; day-of-month and day-of-week combine with
 * OR, as in Vixie cron): the state is that of whichever pattern fired last; before either has fired,
 * stopped. When both fire at the same time, stop wins. Patterns are matched against wall time, so a
 * cron edge follows the DST rule above too: unlike croner's own zone handling, `0,30 2 * * *` fires
 * at 03:00 on a spring-forward day and once, not twice, on a fall-back day. Except days stop a cron
 * schedule for the whole local day; afterwards it is in whatever state the last fire asked for.
 *
 * The peer forms live in their own files: kube-downscaler.ts, cloud-custodian.ts, instance-scheduler.ts.
 */
export function compileSchedule(name: string, spec: ScheduleSpec, defaults: CompileDefaults): CompiledSchedule {
  if (spec === 'always') return constantSchedule(name, defaults.timezone, 'running', 'always running');
  if (spec === 'never') return constantSchedule(name, defaults.timezone, 'stopped', 'never running');
  if (typeof spec === 'string') return compileKubeDownscaler(name, { uptime: spec }, defaults, { bare: true });
  if ('uptime' in spec || 'downtime' in spec) return compileKubeDownscaler(name, spec, defaults);
  if ('custodian' in spec) {
    const { zone, model } = compileCustodian(spec);
    return wallSchedule(name, zone, withDayOverrides(model, parseDayOverrides(spec, zone, defaults.readCalendar)));
  }
  const timezone = spec.timezone ?? defaults.timezone;
  if (!isValidTimezone(timezone)) throw new ScheduleError(`unknown timezone "${timezone}"`, ['timezone']);
  const zone = zonedTime(timezone);
  const days = parseDayOverrides(spec, zone, defaults.readCalendar);
  if ('periods' in spec) {
    if (spec.override_status) return constantSchedule(name, timezone, spec.override_status, `override_status ${spec.override_status}`);
    return wallSchedule(name, zone, withDayOverrides(instanceSchedulerModel(spec.periods), days));
  }
  const model: WallModel<{ state: ScheduleState }> =
    'cron' in spec ? cronModel(spec.cron) : periodsModel(spec.running.map((entry, index) => parsePeriodWindow(entry, ['running', index])));
  return wallSchedule(name, zone, withDayOverrides(model, days));
}

interface CronState {
  state: ScheduleState;
  /** the pattern that fired last (stop on a tie), if either has */
  fired: { kind: 'start' | 'stop'; wall: WallTime } | undefined;
}

function cronModel(spec: CronScheduleSpec['cron']): WallModel<CronState> {
  // Both patterns run on a DST-free axis: their fire times are wall times.
  const patterns = { start: compileCron(spec.start, 'start'), stop: compileCron(spec.stop, 'stop') };
  const lastFire = (cron: Cron, wall: WallTime): number | undefined => cron.previousRuns(1, new Date(wall + 1))[0]?.getTime();
  const nextFire = (cron: Cron, wall: WallTime): number => cron.nextRun(new Date(wall))?.getTime() ?? Infinity;

  const stateAt = (wall: WallTime): CronState => {
    const started = lastFire(patterns.start, wall);
    const stopped = lastFire(patterns.stop, wall);
    const fired =
      stopped !== undefined && (started === undefined || stopped >= started)
        ? { kind: 'stop' as const, wall: stopped }
        : started !== undefined
          ? { kind: 'start' as const, wall: started }
          : undefined;
    return { state: fired?.kind === 'start' ? 'running' : 'stopped', fired };
  };

  function* edges(from: WallTime, to: WallTime): Generator<{ wall: WallTime; state: CronState }> {
    // Only the pattern that would change the cron state matters next, so a start that fires every
    // minute while running costs nothing.
    let state = stateAt(from);
    for (let wall = from; ; ) {
      wall = nextFire(state.fired?.kind === 'start' ? patterns.stop : patterns.start, wall);
      if (!(wall <= to)) return;
      state = stateAt(wall);
      yield { wall, state };
    }
  }

  const fired = (state: CronState): string =>
    state.fired ? `cron ${state.fired.kind} "${spec[state.fired.kind]}" fired` : 'neither cron start nor stop has fired';
  return { stateAt, edges, describe: fired, change: (_before, after) => fired(after) };
}

function compileCron(pattern: string, which: 'start' | 'stop'): Cron {
  const fail = (why: string): never => {
    throw new ScheduleError(`invalid cron ${which} "${pattern}": ${why}`, ['cron', which]);
  };
  const fields = pattern.trim().split(/\s+/).filter(Boolean).length;
  if (fields !== 5 && fields !== 6) fail(`expected 5 fields (minute hour day month weekday) or 6 with seconds first, got ${fields}`);
  let cron: Cron;
  try {
    cron = new Cron(pattern, { utcOffset: 0, mode: '5-or-6-parts' });
  } catch (error) {
    return fail((error as Error).message.replace(/^CronPattern: /, ''));
  }
  if (cron.nextRun(new Date(0)) === null) fail('it never fires');
  return cron;
}
