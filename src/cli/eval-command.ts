import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import { evaluateSchedule } from '../schedule/evaluate-schedule.ts';
import { ScheduleError } from '../schedule/schedule-spec.ts';
import { UsageError } from './cli-error.ts';
import { helpText, parseCommand, parseInstant, type CliIo, type CommandSpec } from './cli-io.ts';

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary: 'the desired state of one schedule at one instant',
  usage: 'eval --schedule SPEC --at ISO [--timezone TZ] [--json]   |   eval --stdin [--json]',
  options: {
    schedule: { type: 'string', short: 's' },
    at: { type: 'string' },
    timezone: { type: 'string', default: 'UTC' },
    json: { type: 'boolean' },
    stdin: { type: 'boolean' },
  },
  details: [
    'SPEC is any schedule form, as JSON or YAML flow: always, never,',
    `  '{"running": ["Mon-Fri 08:00-19:00"], "timezone": "Europe/Berlin"}',`,
    `  '{cron: {start: "0 8 * * 1-5", stop: "0 19 * * 1-5"}, timezone: Europe/Paris}',`,
    `  'Mon-Fri 07:30-20:30 Europe/Berlin' (kube-downscaler; also {uptime: ...} or {downtime: ...}),`,
    `  '{custodian: "off=(M-F,19);on=(M-F,7);tz=pt"}' (Cloud Custodian),`,
    `  '{periods: [{begintime: "09:00", endtime: "17:00", weekdays: "mon-fri"}]}' (AWS Instance Scheduler).`,
    'The state is running, stopped, or any (the schedule leaves the target alone). Calendar files in',
    'except/include are read relative to the current directory.',
    '--stdin reads JSON lines {"schedule": SPEC, "at": ISO} and writes one JSON line per input:',
    '  {"state", "reason", "since", "next"}, or {"error"} for a line that cannot be evaluated.',
    'options:',
    '  -s, --schedule SPEC   the schedule',
    '      --at ISO          the instant (default: now)',
    '      --timezone TZ     for schedules that name none (default UTC)',
    '      --json            print {"state", "reason", "since", "next"}',
  ].join('\n'),
};

/** JSON or YAML flow for objects; anything that parses to a scalar (YAML reads `True` as a boolean) stays the text */
function parseSpec(text: string): unknown {
  for (const parse of [JSON.parse, parseYaml] as ((text: string) => unknown)[]) {
    try {
      const value = parse(text);
      if (typeof value === 'object' && value !== null) return value;
    } catch {
      // not this notation
    }
  }
  return text;
}

export async function evalCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values } = parseCommand(evalSpec, argv);
  if (values.help) return io.out(helpText(evalSpec)), 0;
  const defaults = { timezone: String(values.timezone), readCalendar: (path: string) => readFileSync(path, 'utf8') };
  if (values.stdin) {
    if (!io.stdin) throw new UsageError('--stdin: no standard input');
    let failures = 0;
    for await (const line of createInterface({ input: io.stdin })) {
      if (!line.trim()) continue;
      try {
        const input = JSON.parse(line) as { schedule?: unknown; at?: unknown };
        const at = parseInstant(typeof input.at === 'string' ? input.at : undefined, 'at', now);
        io.out(JSON.stringify(evaluateSchedule(input.schedule, at, defaults)) + '\n');
      } catch (error) {
        failures++;
        io.out(JSON.stringify({ error: describe(error) }) + '\n');
      }
    }
    return failures > 0 ? 1 : 0;
  }
  if (values.schedule === undefined) throw new UsageError('eval needs --schedule SPEC (or --stdin); run `offhours eval --help`');
  const at = parseInstant(values.at as string | undefined, 'at', now);
  try {
    const result = evaluateSchedule(parseSpec(String(values.schedule)), at, defaults);
    io.out(values.json ? JSON.stringify(result) + '\n' : `${result.state} (${result.reason})${result.next ? `; next: ${result.next.state} at ${result.next.at}` : ''}\n`);
    return 0;
  } catch (error) {
    throw new UsageError(`--schedule: ${describe(error)}`);
  }
}

function describe(error: unknown): string {
  if (error instanceof ScheduleError) return error.path.length ? `${error.path.join('.')}: ${error.message}` : error.message;
  return (error as Error).message;
}
