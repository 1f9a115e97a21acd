import { loadConfig } from '../config/load-config.ts';
import { statusReport } from '../planner/status-report.ts';
import { providerDefinitions } from '../providers/registry.ts';
import { configOption, helpText, parseCommand, type CliIo, type CommandSpec } from './cli-io.ts';
import { withStore } from './redis-session.ts';

export const statusSpec: CommandSpec = {
  name: 'status',
  summary: 'per target: provider, desired and observed state, reason, next transition, deferred action, idle policy, savings',
  usage: 'status [--config FILE] [--target NAME] [--json]',
  options: { ...configOption, target: { type: 'string' }, json: { type: 'boolean' } },
  details: 'Reads the state the daemon keeps in Redis (the redis.url of the config).',
};

export async function statusCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values } = parseCommand(statusSpec, argv);
  if (values.help) return io.out(helpText(statusSpec)), 0;
  const loaded = await loadConfig(String(values.config), { env: io.env, definitions: providerDefinitions });
  const report = await withStore(loaded, (store) =>
    statusReport({ targets: loaded.targets, store, at: now, idlePolicies: loaded.config.idlePolicies, ...(values.target ? { only: String(values.target) } : {}) }),
  );
  if (values.json) {
    io.out(JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  for (const t of report.targets) {
    const observed = t.observed ? `${t.observed.state} (${t.observed.raw}, seen ${t.observed.at})` : 'not seen yet';
    io.out(`${t.name}  [${t.provider}/${t.resource}]${t.enabled ? '' : '  (disabled)'}\n`);
    io.out(`  desired   ${t.desired}: ${t.reason}\n  observed  ${observed}${t.inSync ? '' : '  <- differs'}\n`);
    if (t.next) io.out(`  next      ${t.next.state} at ${t.next.at}: ${t.next.reason}\n`);
    if (t.deferred) io.out(`  deferred  ${t.deferred.action} until ${t.deferred.until}: ${t.deferred.reason}\n`);
    if (t.override) io.out(`  override  ${t.override.state} until ${t.override.until}${t.override.by ? ` by ${t.override.by}` : ''}${t.override.reason ? `: ${t.override.reason}` : ''}\n`);
    if (t.idle) {
      io.out(`  idle      ${t.idle.policy}: ${t.idle.summary}${t.idle.stopIn === null ? '' : ` (in ${t.idle.stopIn})`}\n`);
      if (t.idle.last) io.out(`            last reading ${t.idle.last.verdict} at ${t.idle.last.at}: ${t.idle.last.detail}\n`);
    }
    const { stoppedHours, costPerHour, saved } = t.savings;
    io.out(`  savings   ${hours(stoppedHours)} stopped${saved === null ? ' (no costPerHour set)' : `, ${money(saved)} saved at ${costPerHour}/h`}\n`);
  }
  if (report.targets.length > 1) io.out(`total savings: ${hours(report.savings.stoppedHours)} stopped, ${money(report.savings.saved)} saved\n`);
  return 0;
}

const hours = (value: number) => `${value.toFixed(1)} h`;
const money = (value: number) => value.toFixed(2);
