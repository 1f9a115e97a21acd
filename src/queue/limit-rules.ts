import type { LimitOperation, Operation, ProviderAdapter } from '../providers/provider.ts';
import type { LimiterRule } from './limiter.ts';

/**
 * Our clock starts a window when we send; the provider's when the request arrives. Two requests one
 * window apart by our clock can land closer together by the provider's when the first was slower in
 * flight, so every window is widened by a small margin.
 */
export function windowMargin(perMs: number): number {
  return Math.max(250, Math.min(5_000, Math.round(perMs * 0.02)));
}

/**
 * The budgets a call of `operation` on `resource` draws from. Operation budgets are keyed as the
 * adapter's scope says; `all` is what one API key may send in total, so it is always per provider entry.
 */
export function limitRules(prefix: string, adapter: ProviderAdapter, operation: Operation, resource: string): LimiterRule[] {
  return [operationRule(prefix, adapter, operation, resource), allRule(prefix, adapter)].filter((rule) => rule !== undefined);
}

/** The budget of `operation` alone, without `all`: to ask whether a start or stop could go now. */
export function operationRule(prefix: string, adapter: ProviderAdapter, operation: Operation, resource: string): LimiterRule | undefined {
  const scope = adapter.limitScope === 'resource' ? `${adapter.name}:r:${resource}` : adapter.name;
  return ruleOf(adapter, operation, `${prefix}:limit:${scope}:${operation}`);
}

/** The `all` budget of the adapter's key: what a request that is neither start, stop nor status draws from. */
export function allRule(prefix: string, adapter: ProviderAdapter): LimiterRule | undefined {
  return ruleOf(adapter, 'all', `${prefix}:limit:${adapter.name}:all`);
}

function ruleOf(adapter: ProviderAdapter, operation: LimitOperation, key: string): LimiterRule | undefined {
  const rule = adapter.limits[operation];
  return rule ? { key, max: rule.max, perMs: rule.perMs + windowMargin(rule.perMs) } : undefined;
}
