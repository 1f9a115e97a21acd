import { effectiveLimits } from '../providers/provider-config.ts';
import type { Action, LimitScope, Limits } from '../providers/provider.ts';
import { windowMargin } from '../queue/limit-rules.ts';
import { formatDuration } from '../util/duration.ts';
import type { PlanBudget } from './plan-transitions.ts';

/**
 * The budgets a target's start and stop draw from, keyed as the limiter keys them (limit-rules.ts) and
 * widened by the same margin, so the plan defers exactly where the worker will: per resource or per
 * API key as the provider's scope says, plus the key-wide `all` budget.
 */
export function planBudgets(
  target: { provider: string; resource: string },
  limits: Limits,
  scope: LimitScope,
): Partial<Record<Action, PlanBudget[]>> {
  const budgets: Partial<Record<Action, PlanBudget[]>> = {};
  const owner = scope === 'resource' ? `${target.provider}:r:${target.resource}` : target.provider;
  for (const action of ['start', 'stop'] as const) {
    const list: PlanBudget[] = [];
    for (const [operation, key, what, per] of [
      [action, `${owner}:${action}`, action, scope === 'resource' ? 'per resource' : 'per API key'],
      ['all', `${target.provider}:all`, 'requests', 'per API key'],
    ] as const) {
      const rule = limits[operation];
      if (!rule) continue;
      const label = `${target.provider} allows ${rule.max} ${what} per ${formatDuration(rule.perMs)} ${per}`;
      list.push({ key, max: rule.max, perMs: rule.perMs + windowMargin(rule.perMs), label });
    }
    if (list.length > 0) budgets[action] = list;
  }
  return budgets;
}

/** The budgets of a configured target: its provider's documented limits with the entry's overrides on top. */
export function configuredBudgets(
  target: { provider: string; resource: string },
  entry: { limits?: Limits | undefined; limitScope?: LimitScope | undefined },
  definition: { defaultLimits: Limits; defaultLimitScope: LimitScope },
): Partial<Record<Action, PlanBudget[]>> {
  return planBudgets(target, effectiveLimits(definition.defaultLimits, entry.limits), entry.limitScope ?? definition.defaultLimitScope);
}
