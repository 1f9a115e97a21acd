import { planBudgets } from '../planner/plan-budgets.ts';
import { planFleet, type PlannedTransition } from '../planner/plan-transitions.ts';
import { effectiveLimits } from '../providers/provider-config.ts';
import type { ProviderDefinition } from '../providers/provider.ts';
import { formatDuration } from '../util/duration.ts';
import type { OffhoursConfig } from './config-schema.ts';
import type { ResolvedTarget } from './load-config.ts';

const DAY_MS = 86_400_000;

/**
 * Schedules that flip faster than their provider's start/stop limits can follow: where, in the `days`
 * from `from`, a start or stop would wait for a limit window or be dropped because the schedule turns
 * back first (plan-transitions.ts does the arithmetic). Targets on a provider whose budgets are shared
 * (per API key, or a key-wide `all`) are planned together; otherwise one target per schedule stands
 * for all of them. A warning, not an error: the daemon still never breaks a limit, it just lags.
 */
export function limitWarnings(input: {
  config: OffhoursConfig;
  targets: readonly ResolvedTarget[];
  definitions: readonly ProviderDefinition[];
  from: Date;
  days?: number;
}): string[] {
  const { config, from } = input;
  const days = input.days ?? 7;
  const until = new Date(from.getTime() + days * DAY_MS);
  const byProvider = new Map<string, ResolvedTarget[]>();
  for (const target of input.targets) if (target.enabled) byProvider.set(target.provider, [...(byProvider.get(target.provider) ?? []), target]);

  const warnings: string[] = [];
  for (const [provider, targets] of byProvider) {
    const entry = config.providers[provider]!;
    const definition = input.definitions.find((candidate) => candidate.type === entry.type);
    if (!definition) continue;
    const limits = effectiveLimits(definition.defaultLimits, entry.limits);
    const scope = entry.limitScope ?? definition.defaultLimitScope;
    if (!limits.start && !limits.stop && !limits.all) continue;
    const shared = scope === 'provider' || limits.all !== undefined;
    const planned = shared ? targets : [...new Map(targets.map((target) => [target.scheduleName, target])).values()];
    const plan = planFleet({
      targets: planned.map((target) => ({ target: target.name, schedule: target.schedule, budgets: planBudgets(target, limits, scope) })),
      from,
      until,
    });

    const scheduleOf = new Map(planned.map((target) => [target.name, target.scheduleName]));
    const bySchedule = new Map<string, PlannedTransition[]>();
    for (const item of plan) bySchedule.set(scheduleOf.get(item.target)!, [...(bySchedule.get(scheduleOf.get(item.target)!) ?? []), item]);
    const rules = (['start', 'stop', 'all'] as const).flatMap((operation) => {
      const rule = limits[operation];
      return rule ? [`${rule.max} ${operation === 'all' ? 'requests' : operation} per ${formatDuration(rule.perMs)}`] : [];
    });
    const allows = `${provider} allows ${rules.join(', ')} ${scope === 'resource' ? 'per resource' : 'per API key'}${limits.all ? ' (requests: per API key)' : ''}`;

    for (const [schedule, items] of bySchedule) {
      const deferred = items.filter((item) => item.outcome === 'deferred');
      const merged = items.filter((item) => item.outcome === 'merged');
      if (deferred.length === 0 && merged.length === 0) continue;
      const waits = deferred.map((item) => new Date(item.runsAt!).getTime() - new Date(item.at).getTime());
      const first = [...deferred, ...merged].map((item) => item.at).sort()[0]!;
      const what = [
        deferred.length > 0 ? `${deferred.length} would wait for a limit window (up to ${formatDuration(Math.ceil(Math.max(...waits) / 60_000) * 60_000)})` : '',
        merged.length > 0 ? `${merged.length} would be dropped because the schedule turns back before the window opens` : '',
      ].filter(Boolean);
      const name = schedule.endsWith('/inline') ? `the schedule of target "${schedule.slice(0, -'/inline'.length)}"` : `schedule "${schedule}"`;
      const together = shared && targets.length > 1 ? ` (its ${targets.length} targets share these budgets)` : '';
      warnings.push(
        `${name} flips faster than provider "${provider}" can follow${together}: of ${items.length} transitions in the ${days} days from ${from.toISOString()}, ` +
          `${what.join(' and ')}, the first at ${first}; ${allows}. \`offhours plan\` shows when each really happens.`,
      );
    }
  }
  return warnings;
}
