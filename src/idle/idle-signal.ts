import type { Dispatcher } from 'undici';
import type { SampledIdlePolicyConfig } from '../config/config-schema.ts';
import { createHttpSignal } from './http-signal.ts';
import type { IdleReading } from './idle-reading.ts';
import { createPrometheusSignal } from './prometheus-signal.ts';

/** One idle signal of a policy. `read` never throws: whatever goes wrong is an `unknown` reading. */
export interface IdleSignal {
  read(at: Date): Promise<IdleReading>;
}

export interface SignalDeps {
  /** undici dispatcher of the composition root; never the global one */
  dispatcher: Dispatcher;
  timeoutMs: number;
}

export function createIdleSignal(policy: SampledIdlePolicyConfig, deps: SignalDeps): IdleSignal {
  return policy.type === 'prometheus' ? createPrometheusSignal(policy, deps) : createHttpSignal(policy, deps);
}

