import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Simulator, SimulatorOptions } from './simulator-kit.ts';
import type { ProviderCommonParsed } from './provider-config.ts';

/** The normalised states of PROVIDERS.md; adapters keep the provider's own string in `raw`. */
export type ObservedState = 'running' | 'stopped' | 'starting' | 'stopping' | 'unknown';
export type DesiredState = 'running' | 'stopped';
export type Action = 'start' | 'stop';
export type Operation = Action | 'status';
/** `all` is a budget every request of the scope draws from, whatever its operation. */
export type LimitOperation = Operation | 'all';

export interface LimitRule {
  max: number;
  perMs: number;
}
export type Limits = Partial<Record<LimitOperation, LimitRule>>;

/**
 * Which requests share a budget. `resource`: per (provider entry, resource, operation), as EMQX is
 * assumed to count; `provider`: per provider entry (one API key) and operation.
 */
export type LimitScope = 'resource' | 'provider';

export interface Observation {
  state: ObservedState;
  /** the provider's own state string, for logs and labels */
  raw: string;
}

/** What a start/stop came back with; errors are thrown as ProviderError instead. */
export interface ActionOutcome {
  /** `already`: the provider said the resource is in that state already (success, nothing changed) */
  kind: 'accepted' | 'already';
  raw?: string;
}

export interface ProviderCapabilities {
  /** the provider reports starting/stopping while it works; without them, a stale reading is normal right after an action */
  reportsTransitions: boolean;
  /** status of many resources in one request (Ultipa) */
  batchStatus: boolean;
}

/** The narrow interface every provider adapter implements. */
export interface ProviderAdapter {
  readonly name: string;
  readonly type: string;
  readonly limits: Limits;
  readonly limitScope: LimitScope;
  readonly capabilities: ProviderCapabilities;
  status(resource: string): Promise<Observation>;
  start(resource: string): Promise<ActionOutcome>;
  stop(resource: string): Promise<ActionOutcome>;
  close(): Promise<void>;
}

export interface ProviderDeps {
  logger: Logger;
  /**
   * Takes one more unit of the provider's budget (its `all` and `status` budgets) for a follow-up request
   * an adapter must make inside one call, such as waking an idle service before stopping it; false when
   * the budget has no room now, and the adapter must then not send it. Absent: no limiter (tests).
   */
  extraRequest?: (resource: string) => Promise<boolean>;
  /** undici dispatcher (an Agent, or a MockAgent in tests); the adapter never creates a global one */
  dispatcher: Dispatcher;
}

/** The fields every provider entry has, whatever its type (see provider-config.ts). */
export type ProviderCommonConfig = ProviderCommonParsed;

/** One folder under src/providers exports one of these; the registry lists them. */
export interface ProviderDefinition<C extends ProviderCommonConfig = ProviderCommonConfig> {
  type: string;
  /** human name for --help and the README */
  title: string;
  defaultBaseUrl: string;
  /** the provider's documented limits (PROVIDERS.md); a config entry may override any of them */
  defaultLimits: Limits;
  defaultLimitScope: LimitScope;
  capabilities: ProviderCapabilities;
  /** the provider's own strings for the two stable states (seeding simulators, the demo) */
  rawStates: { running: string; stopped: string };
  /** zod object for the provider entry: `type` literal, credentials and the provider's own options */
  configSchema: z.ZodType<C>;
  /** paths whose values are secrets, relative to the provider entry (for redaction) */
  secretPaths: string[];
  create(name: string, config: C, deps: ProviderDeps): ProviderAdapter;
  createSimulator(options: SimulatorOptions): Simulator;
}
