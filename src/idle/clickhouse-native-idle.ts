import type { Logger } from 'pino';
import type { ClickhouseNativeIdlePolicyConfig } from '../config/config-schema.ts';
import type { ClickhouseAdapter } from '../providers/clickhouse/clickhouse-adapter.ts';
import type { ProviderAdapter } from '../providers/provider.ts';
import { isProviderError } from '../providers/provider-error.ts';
import { allRule } from '../queue/limit-rules.ts';
import type { Limiter } from '../queue/limiter.ts';
import type { ManagedTarget } from '../queue/managed-target.ts';
import type { TargetStore } from '../queue/target-store.ts';
import { clockOf, EMPTY_IDLE_STATE, type NativeIdleRecord } from './idle-state.ts';

export interface NativeIdleDeps {
  prefix: string;
  limiter: Limiter;
  store: TargetStore;
  logger: Logger;
}

export type NativeIdleOutcome =
  | { kind: 'applied'; record: NativeIdleRecord }
  /** the key's request budget is spent: try again then */
  | { kind: 'limited'; retryAt: Date }
  | { kind: 'failed'; retry: boolean; message: string };

function isClickhouse(adapter: ProviderAdapter): adapter is ClickhouseAdapter {
  return adapter.type === 'clickhouse' && typeof (adapter as Partial<ClickhouseAdapter>).setIdleScaling === 'function';
}

/**
 * The provider-native idle policy: sets ClickHouse's own idle scaling (`idleScaling`,
 * `idleTimeoutMinutes`) on the service through its scaling API, inside the key's request budget, and
 * keeps what ClickHouse answered (or why it refused) in the target's idle record for `status`.
 * ClickHouse then idles the service itself; an idle service counts as running for schedules.
 */
export async function applyNativeIdle(target: ManagedTarget, policy: ClickhouseNativeIdlePolicyConfig, at: Date, deps: NativeIdleDeps): Promise<NativeIdleOutcome> {
  const { adapter } = target;
  const record = async (native: NativeIdleRecord) => {
    const state = (await deps.store.idleFor([target.name])).get(target.name) ?? EMPTY_IDLE_STATE;
    await deps.store.setIdleClock(target.name, { ...clockOf(state), native });
  };
  if (!isClickhouse(adapter)) {
    return { kind: 'failed', retry: false, message: `[offhours] ${target.name}: a clickhouse-native idle policy needs a clickhouse provider, not ${adapter.type}` };
  }
  const rule = allRule(deps.prefix, adapter);
  if (rule) {
    const grant = await deps.limiter.take([rule], at, `native/${target.name}`);
    if (!grant.granted) return { kind: 'limited', retryAt: grant.retryAt };
  }
  const settings = { idleScaling: policy.idleScaling, idleTimeoutMinutes: policy.idleTimeoutMinutes };
  try {
    const result = await adapter.setIdleScaling(target.resource, settings);
    const native: NativeIdleRecord = {
      at: at.toISOString(),
      idleScaling: result.idleScaling ?? null,
      idleTimeoutMinutes: result.idleTimeoutMinutes ?? null,
      state: result.observation.raw,
      error: null,
    };
    await record(native);
    deps.logger.info({ target: target.name, ...settings, reported: { idleScaling: native.idleScaling, idleTimeoutMinutes: native.idleTimeoutMinutes }, state: native.state }, `clickhouse idle scaling set on ${target.name}`);
    return { kind: 'applied', record: native };
  } catch (error) {
    if (!isProviderError(error)) throw error;
    if (error.failure === 'throttled') return { kind: 'limited', retryAt: new Date(at.getTime() + (error.retryAfterMs ?? rule?.perMs ?? 10_000)) };
    await record({ at: at.toISOString(), idleScaling: null, idleTimeoutMinutes: null, state: null, error: error.message });
    deps.logger.warn({ target: target.name, err: error.message }, `clickhouse idle scaling not set on ${target.name}`);
    return { kind: 'failed', retry: error.failure === 'transient' || error.failure === 'conflict', message: error.message };
  }
}
