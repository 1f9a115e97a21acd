import { z } from 'zod';

/**
 * The schedule forms a config may use. Every form compiles to the same window model
 * (compile-schedule.ts); later forms (peer syntaxes) are added here and in the compiler.
 */
export const periodsScheduleSchema = z.strictObject({
  timezone: z.string().optional(),
  /** windows when the target should run, e.g. "Mon-Fri 08:00-19:00", "Fri 18:00-Mon 07:00" */
  running: z.array(z.string()).min(1),
  /** days (YYYY-MM-DD) or ranges (YYYY-MM-DD..YYYY-MM-DD) when the target stays stopped */
  except: z.array(z.string()).optional(),
});

export const cronScheduleSchema = z.strictObject({
  timezone: z.string().optional(),
  /** 5 fields, or 6 with seconds first; the state is that of whichever fired last */
  cron: z.strictObject({ start: z.string(), stop: z.string() }),
  except: z.array(z.string()).optional(),
});

export const constantScheduleSchema = z.enum(['always', 'never']);

export const scheduleSpecSchema = z.union([constantScheduleSchema, periodsScheduleSchema, cronScheduleSchema]);

export type PeriodsScheduleSpec = z.output<typeof periodsScheduleSchema>;
export type CronScheduleSpec = z.output<typeof cronScheduleSchema>;
export type ScheduleSpec = z.output<typeof scheduleSpecSchema>;

/** A schedule that cannot be compiled; `path` is relative to the schedule (e.g. ['running', 1]). */
export class ScheduleError extends Error {
  readonly path: (string | number)[];
  constructor(message: string, path: (string | number)[] = []) {
    super(message);
    this.name = 'ScheduleError';
    this.path = path;
  }
}
