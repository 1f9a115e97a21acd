import type { CompiledSchedule } from '../schedule/compiled-schedule.ts';
import type { ProviderAdapter } from '../providers/provider.ts';

/** A target as the daemon runs it: its config, compiled schedule and the adapter of its provider. */
export interface ManagedTarget {
  name: string;
  /** provider entry name */
  provider: string;
  resource: string;
  schedule: CompiledSchedule;
  scheduleName: string;
  enabled: boolean;
  adapter: ProviderAdapter;
  poll: PollSettings;
  /** name of its entry under `idlePolicies`, if it has one */
  idle?: string;
  /** what an hour of the resource running costs; stopped hours times this is the estimated saving */
  costPerHour?: number;
}

export interface PollSettings {
  /** between status reads while nothing is happening */
  steadyMs: number;
  /** between status reads while a start/stop settles */
  verifyMs: number;
  /** how long a start/stop may take to show before the target is reported stuck */
  timeoutMs: number;
}

/**
 * Polling derived from the status budget when the config does not say: steady reads use a quarter of
 * it, so the rest is there to notice a transition promptly after we asked for one and to leave
 * start/stop calls room in a provider-wide (`all`) budget. A budget shared by the provider's targets
 * (provider scope, or `all`) is divided among them.
 */
export function pollSettings(
  adapter: ProviderAdapter,
  configured: { steady?: number | undefined; verify?: number | undefined; timeout: number },
  targetsOnProvider = 1,
): PollSettings {
  const share = (rule: { max: number; perMs: number } | undefined, shared: boolean) =>
    rule ? (rule.perMs / rule.max) * (shared ? Math.max(1, targetsOnProvider) : 1) : 0;
  const evenMs = Math.max(share(adapter.limits.status, adapter.limitScope === 'provider'), share(adapter.limits.all, true));
  const limited = evenMs > 0;
  return {
    steadyMs: configured.steady ?? Math.max(5_000, evenMs * 4, limited ? 0 : 60_000),
    verifyMs: configured.verify ?? Math.max(1_000, evenMs / 2, limited ? 0 : 5_000),
    timeoutMs: configured.timeout,
  };
}
