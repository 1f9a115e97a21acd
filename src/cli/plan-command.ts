import { loadConfig } from '../config/load-config.ts';
import { planTransitions, type PlannedTransition } from '../planner/plan-transitions.ts';
import { providerDefinition, providerDefinitions } from '../providers/registry.ts';
import type { Action, LimitRule } from '../providers/provider.ts';
import { windowMargin } from '../queue/limit-rules.ts';
import { UsageError } from './cli-error.ts';
import { configOption, helpText, parseCommand, parseInstant, type CliIo, type CommandSpec } from './cli-io.ts';

export const planSpec: CommandSpec = {
  name: 'plan',
  summary: 'upcoming transitions per target, with the ones a provider limit defers or merges',
  usage: 'plan [--config FILE] [--from ISO] [--days N] [--target NAME] [--json]',
  options: { ...configOption, from: { type: 'string' }, days: { type: 'string', default: '7' }, target: { type: 'string' }, json: { type: 'boolean' } },
  details: [
    'options:',
    '  -c, --config FILE   config (default config/offhours.yaml)',
    '      --from ISO      start of the plan (default: now)',
    '      --days N        how far ahead (default 7)',
    '      --target NAME   only this target',
    '      --json          one JSON array of transitions',
  ].join('\n'),
};

export async function planCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values } = parseCommand(planSpec, argv);
  if (values.help) return io.out(helpText(planSpec)), 0;
  const days = Number(values.days);
  if (!Number.isFinite(days) || days <= 0 || days > 366) throw new UsageError(`--days: "${values.days}" is not a number of days between 1 and 366`);
  const from = parseInstant(values.from as string | undefined, 'from', now);
  const until = new Date(from.getTime() + days * 86_400_000);
  const loaded = await loadConfig(String(values.config), { env: io.env, definitions: providerDefinitions });
  const targets = loaded.targets.filter((target) => target.enabled && (!values.target || target.name === values.target));
  if (values.target && targets.length === 0) throw new UsageError(`--target: no enabled target "${values.target}" in ${values.config}`);

  const plan: PlannedTransition[] = [];
  for (const target of targets) {
    const entry = loaded.config.providers[target.provider]!;
    const definition = providerDefinition(entry.type)!;
    const limits: Partial<Record<Action, LimitRule>> = {};
    for (const action of ['start', 'stop'] as const) {
      const rule = entry.limits?.[action] ?? definition.defaultLimits[action];
      if (rule) limits[action] = { max: rule.max, perMs: rule.perMs + windowMargin(rule.perMs) };
    }
    plan.push(...planTransitions({ target: target.name, schedule: target.schedule, limits, from, until }));
  }
  plan.sort((a, b) => a.at.localeCompare(b.at) || a.target.localeCompare(b.target));
  if (values.json) {
    io.out(JSON.stringify(plan, null, 2) + '\n');
    return 0;
  }
  io.out(`plan from ${from.toISOString()} for ${days} day(s), ${targets.length} target(s), ${plan.length} transition(s)\n`);
  for (const item of plan) {
    const when = item.outcome === 'deferred' ? `${item.at} -> ${item.runsAt}` : item.at;
    io.out(`${when}  ${item.target}  ${item.action}  [${item.outcome}]  ${item.reason}${item.note ? ` (${item.note})` : ''}\n`);
  }
  return 0;
}
