import type { SampledIdlePolicyConfig } from '../config/config-schema.ts';

/** A sampled idle policy with its defaults applied, as the sampler and the planner use it. */
export interface IdlePolicy {
  name: string;
  config: SampledIdlePolicyConfig;
  forMs: number;
  everyMs: number;
  jitterMs: number;
  timeoutMs: number;
  wakeOn: 'schedule' | 'active';
  minRunningMs: number;
  minStoppedMs: number;
  /** what idle means, for reasons and status: `value <= 0.1`, `data.connections <= 0`, `HTTP 204` */
  condition: string;
}

export const DEFAULT_EVERY_MS = 60_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

export function resolveIdlePolicy(name: string, config: SampledIdlePolicyConfig): IdlePolicy {
  const everyMs = config.every ?? DEFAULT_EVERY_MS;
  return {
    name,
    config,
    forMs: config.for,
    everyMs,
    jitterMs: config.jitter ?? Math.floor(everyMs / 10),
    timeoutMs: config.timeout ?? DEFAULT_TIMEOUT_MS,
    wakeOn: config.wakeOn,
    minRunningMs: config.minRunning ?? 0,
    minStoppedMs: config.minStopped ?? 0,
    condition: conditionOf(config),
  };
}

function conditionOf(config: SampledIdlePolicyConfig): string {
  if (config.type === 'prometheus') return `value <= ${config.threshold}`;
  if (config.field !== undefined) return `${config.field} <= ${config.threshold}`;
  return `HTTP ${(config.idleStatus ?? []).join(' or ')}`;
}

/**
 * Readings further apart than this are not consecutive (the daemon was down, Redis was away): the
 * idle run starts again rather than bridging a stretch nobody looked at. A reading's chain schedules
 * the next one when it ends, so a slow answer (up to the timeout) stretches the interval.
 */
export function maxReadingGapMs(policy: Pick<IdlePolicy, 'everyMs' | 'jitterMs' | 'timeoutMs'>): number {
  return 2 * policy.everyMs + policy.jitterMs + policy.timeoutMs;
}
