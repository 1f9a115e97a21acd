import { loadConfig } from '../config/load-config.ts';
import { configuredBudgets } from '../planner/plan-budgets.ts';
import { describeOverride, isActive, type Override } from '../planner/override.ts';
import { planFleet, type PlanTarget } from '../planner/plan-transitions.ts';
import { providerDefinition, providerDefinitions } from '../providers/registry.ts';
import { effectiveLimits } from '../providers/provider-config.ts';
import { planIdle, type PlannedIdle } from '../idle/idle-plan.ts';
import { resolveIdlePolicy } from '../idle/idle-policy.ts';
import type { IdleState } from '../idle/idle-state.ts';
import { UsageError } from './cli-error.ts';
import { configOption, helpText, parseCommand, parseInstant, type CliIo, type CommandSpec } from './cli-io.ts';
import { withStore } from './redis-session.ts';

export const planSpec: CommandSpec = {
  name: 'plan',
  summary: 'upcoming transitions per target, with the ones a provider limit defers or merges',
  usage: 'plan [--config FILE] [--from ISO] [--days N] [--target NAME] [--json]',
  options: { ...configOption, from: { type: 'string' }, days: { type: 'string', default: '7' }, target: { type: 'string' }, json: { type: 'boolean' } },
  details: [
    'Active overrides and idle states are read from Redis when it answers within a second; otherwise the plan says so',
    'and is made from the schedules alone. Limit windows are taken as empty at the start of the plan.',
    'options:',
    '  -c, --config FILE   config (default config/offhours.yaml)',
    '      --from ISO      start of the plan (default: now)',
    '      --days N        how far ahead (default 7)',
    '      --target NAME   only this target',
    '      --json          one JSON array of transitions (notes go to stderr)',
  ].join('\n'),
};

/** How long plan waits for Redis before planning without overrides. */
const OVERRIDE_TIMEOUT_MS = 1_000;

export async function planCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values } = parseCommand(planSpec, argv);
  if (values.help) return io.out(helpText(planSpec)), 0;
  const days = Number(values.days);
  if (!Number.isFinite(days) || days <= 0 || days > 366) throw new UsageError(`--days: "${values.days}" is not a number of days between 1 and 366`);
  const from = parseInstant(values.from as string | undefined, 'from', now);
  const until = new Date(from.getTime() + days * 86_400_000);
  const loaded = await loadConfig(String(values.config), { env: io.env, definitions: providerDefinitions });
  const enabled = loaded.targets.filter((target) => target.enabled);
  if (values.target && !enabled.some((target) => target.name === values.target)) throw new UsageError(`--target: no enabled target "${values.target}" in ${values.config}`);

  let overrides = new Map<string, Override>();
  let idleStates = new Map<string, IdleState>();
  let overrideNote: string;
  try {
    [overrides, idleStates] = await withStore(loaded, (store) => Promise.all([store.allOverrides(), store.allIdle()]), { connectTimeoutMs: OVERRIDE_TIMEOUT_MS });
    const active = [...overrides].filter(([name, override]) => isActive(override, from) && (!values.target || name === values.target));
    overrideNote = active.length === 0 ? 'overrides: none active' : active.map(([name, override]) => `override: ${name} ${describeOverride(override).replace(/^override /, '')}`).join('\n');
  } catch (error) {
    overrideNote = `overrides: not read (${(error as Error).message}); planned from the schedules alone`;
  }

  // Every enabled target is planned, so budgets shared by an API key are shared in the plan too; --target filters the output.
  const plans = enabled.map((target): PlanTarget => {
    const entry = loaded.config.providers[target.provider]!;
    const budgets = configuredBudgets(target, entry, providerDefinition(entry.type)!);
    return { target: target.name, schedule: target.schedule, budgets, override: overrides.get(target.name) };
  });
  // Idle entries: where the quota guard blocks idle stops, and where each current idle run leads (a plan from now only).
  const idle = enabled.flatMap((target): PlannedIdle[] => {
    const config = target.idle === undefined ? undefined : loaded.config.idlePolicies[target.idle];
    if (!config || config.type === 'clickhouse-native') return [];
    const entry = loaded.config.providers[target.provider]!;
    const startRule = effectiveLimits(providerDefinition(entry.type)!.defaultLimits, entry.limits).start;
    const state = values.from === undefined ? idleStates.get(target.name) : undefined;
    return planIdle({ target: target.name, schedule: target.schedule, policy: resolveIdlePolicy(target.idle!, config), startRule, from, until, state });
  });
  const transitions = planFleet({ targets: plans, from, until });
  const plan = [...transitions, ...idle]
    .filter((item) => !values.target || item.target === values.target)
    .sort((a, b) => a.at.localeCompare(b.at) || a.target.localeCompare(b.target));
  if (values.json) {
    io.err(`${overrideNote}\n`);
    io.out(JSON.stringify(plan, null, 2) + '\n');
    return 0;
  }
  const shown = values.target ? 1 : enabled.length;
  const idleShown = plan.filter((item) => item.outcome.startsWith('idle-')).length;
  io.out(`plan from ${from.toISOString()} for ${days} day(s), ${shown} target(s), ${plan.length - idleShown} transition(s)${idleShown ? `, ${idleShown} idle entr${idleShown === 1 ? 'y' : 'ies'}` : ''}\n${overrideNote}\n`);
  for (const item of plan) {
    const when = item.runsAt && item.runsAt !== item.at ? `${item.at} -> ${item.runsAt}` : item.at;
    io.out(`${when}  ${item.target}  ${item.action ?? 'leave alone'}  [${item.outcome}]  ${item.reason}${item.note ? ` (${item.note})` : ''}\n`);
  }
  return 0;
}
