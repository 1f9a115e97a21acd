import { z } from 'zod';

/**
 * The schedule forms a config may use. Every form compiles to the same window model
 * (compile-schedule.ts), so they can be mixed freely across targets.
 */

/** Holidays and their opposite, for every form with one timezone (day-overrides.ts). */
const dayOverrideFields = {
  /** days (YYYY-MM-DD), ranges (YYYY-MM-DD..YYYY-MM-DD) or iCalendar files (holidays.ics) when the target stays stopped */
  except: z.array(z.string()).optional(),
  /** the same, for stretches when the target runs whatever the schedule says; include wins over except */
  include: z.array(z.string()).optional(),
};

export const periodsScheduleSchema = z.strictObject({
  timezone: z.string().optional(),
  /** windows when the target should run, e.g. "Mon-Fri 08:00-19:00", "Fri 18:00-Mon 07:00" */
  running: z.array(z.string()).min(1),
  ...dayOverrideFields,
});

export const cronScheduleSchema = z.strictObject({
  timezone: z.string().optional(),
  /** 5 fields, or 6 with seconds first; the state is that of whichever fired last */
  cron: z.strictObject({ start: z.string(), stop: z.string() }),
  ...dayOverrideFields,
});

export const constantScheduleSchema = z.enum(['always', 'never']);

/** Fills kube-downscaler parts that leave out their days or timezone (its DEFAULT_WEEKFRAME, DEFAULT_TIMEZONE). */
const kubeDownscalerDefaults = {
  timezone: z.string().optional(),
  /** e.g. "Mon-Fri", for parts written "07:30-20:30 Europe/Berlin" */
  weekframe: z.string().optional(),
};

/** kube-downscaler (GoKubeDownscaler) uptime, pasted unchanged: "Mon-Fri 07:30-20:30 Europe/Berlin, ..." */
export const uptimeScheduleSchema = z.strictObject({ uptime: z.string(), ...kubeDownscalerDefaults });
/** kube-downscaler downtime: stopped within it, running outside */
export const downtimeScheduleSchema = z.strictObject({ downtime: z.string(), ...kubeDownscalerDefaults });

/**
 * A kube-downscaler uptime written bare. Schedule names have no spaces, ":" or ",", and every
 * kube-downscaler string but always/never has one of them, so a bare string is never ambiguous. Its
 * constants (`Always`, `TRUE`, `never`, `false`: any case, as GoKubeDownscaler reads them) are uptimes
 * too where no schedule name is expected (`offhours eval`); lower-case always/never are constants.
 */
export const uptimeStringSchema = z
  .string()
  .regex(/[\s:,]|^(always|never|true|false)$/i, 'a bare schedule string is a kube-downscaler uptime such as "Mon-Fri 07:30-20:30 Europe/Berlin"');

const hourSchema = z.number().int().min(0).max(23);

/** Cloud Custodian offhours: the tag value and the policy's options (c7n/filters/offhours.py). */
export const custodianScheduleSchema = z.strictObject({
  /** the tag value, e.g. "off=(M-F,19);on=(M-F,7);tz=pt"; null: the resource has no tag */
  custodian: z.string().nullable(),
  /** policy default stop hour (19) and start hour (7), for tags without their own */
  offhour: hourSchema.optional(),
  onhour: hourSchema.optional(),
  /** policy default timezone, a Custodian alias (et, pt, cet, ...) or an IANA name; default et */
  default_tz: z.string().optional(),
  /** true (default): default days Mon-Fri; false: every day */
  weekends: z.boolean().optional(),
  /** default stop on Friday only, start on Monday only */
  'weekends-only': z.boolean().optional(),
  /** a missing tag (null) means the policy defaults instead of "not scheduled" */
  'opt-out': z.boolean().optional(),
  /** local dates (YYYY-MM-DD) on which neither the stop nor the start fires */
  'skip-days': z.array(z.string()).optional(),
  ...dayOverrideFields,
});

/**
 * A field of an AWS Instance Scheduler period: "mon-fri", "1-15,L", or a list of such strings (a union).
 * Bare numbers are taken as their digits, as YAML reads `monthdays: 15` as a number.
 */
const recurrenceItem = z.union([z.string(), z.number().int()]);
const recurrenceSchema = z.union([recurrenceItem, z.array(recurrenceItem)]);

export const instancePeriodSchema = z.strictObject({
  /** names the period in reasons */
  name: z.string().optional(),
  description: z.string().optional(),
  /** H:MM or HH:MM, 00:00 to 23:59 */
  begintime: z.string().optional(),
  endtime: z.string().optional(),
  weekdays: recurrenceSchema.optional(),
  monthdays: recurrenceSchema.optional(),
  months: recurrenceSchema.optional(),
});

/** AWS Instance Scheduler: a schedule of running periods (configuration/instance_schedule.py). */
export const instanceSchedulerScheduleSchema = z.strictObject({
  timezone: z.string().optional(),
  description: z.string().optional(),
  /** running or stopped beats every period */
  override_status: z.enum(['running', 'stopped']).optional(),
  periods: z.array(instancePeriodSchema).min(1),
  ...dayOverrideFields,
});

export const scheduleSpecSchema = z.union([
  constantScheduleSchema,
  uptimeStringSchema,
  periodsScheduleSchema,
  cronScheduleSchema,
  uptimeScheduleSchema,
  downtimeScheduleSchema,
  custodianScheduleSchema,
  instanceSchedulerScheduleSchema,
]);

/** The object forms by their distinguishing key: errors are reported inside the form the user meant. */
export const scheduleFormsByKey = {
  running: periodsScheduleSchema,
  cron: cronScheduleSchema,
  uptime: uptimeScheduleSchema,
  downtime: downtimeScheduleSchema,
  custodian: custodianScheduleSchema,
  periods: instanceSchedulerScheduleSchema,
} as const;

/**
 * What to tell someone whose schedule is none of the forms; `notJson` is a string that was expected
 * to be one written as JSON.
 */
export function expectedScheduleForms(notJson?: string): string {
  const own = 'expected "always", "never", {running: [...]} or {cron: {start, stop}}';
  const peers =
    'a kube-downscaler string ("Mon-Fri 07:30-20:30 Europe/Berlin", also {uptime: ...} or {downtime: ...}), ' +
    '{custodian: "off=(M-F,19);on=(M-F,7)"} or {periods: [{begintime, endtime, weekdays, monthdays, months}]}';
  return notJson === undefined ? `${own}, or a peer form: ${peers}` : `${own} as JSON, not ${JSON.stringify(notJson)}; or a peer form: ${peers}`;
}

export type PeriodsScheduleSpec = z.output<typeof periodsScheduleSchema>;
export type CronScheduleSpec = z.output<typeof cronScheduleSchema>;
export type UptimeScheduleSpec = z.output<typeof uptimeScheduleSchema>;
export type DowntimeScheduleSpec = z.output<typeof downtimeScheduleSchema>;
export type CustodianScheduleSpec = z.output<typeof custodianScheduleSchema>;
export type InstancePeriodSpec = z.output<typeof instancePeriodSchema>;
export type InstanceSchedulerScheduleSpec = z.output<typeof instanceSchedulerScheduleSchema>;
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
