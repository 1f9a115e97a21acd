import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Action, DesiredState, ObservedState, Operation } from '../providers/provider.ts';
import type { FailureClass } from '../providers/provider-error.ts';
import type { SignalFailure } from '../idle/idle-reading.ts';
import type { IdleBlockLabel } from '../idle/idle-state.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDoc {
  name: string;
  type: MetricType;
  labels: readonly string[];
  help: string;
}

export type TransitionResult = 'accepted' | 'already' | 'failed' | 'superseded';
/**
 * A provider failure class, or one of the daemon's own failures. `already` is admitted only because
 * ProviderError's type carries it; adapters return it as an outcome, so it never reaches this metric.
 */
export type FailureReason = FailureClass | 'stuck' | 'verify-timeout' | 'redis' | 'config';
export type RequestOutcome = 'ok' | FailureClass;
export type StateKind = 'desired' | 'observed';
/** `any`: the schedule leaves the target alone (AWS Instance Scheduler periods, Custodian opt-out) */
export type TargetStateOf<K extends StateKind> = K extends 'desired' ? DesiredState | 'any' : ObservedState;

const DESIRED_STATES: readonly (DesiredState | 'any')[] = ['running', 'stopped', 'any'];
const OBSERVED_STATES: readonly ObservedState[] = ['running', 'stopped', 'starting', 'stopping', 'unknown'];

const HTTP_API_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// an EMQX start may wait up to an hour for its window, so lag spans seconds to hours
const ACTION_LAG_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/** Every metric the daemon exposes; the README's table is rendered from METRICS_DOC, built from this. */
const DEFINITIONS = {
  transitions: {
    name: 'offhours_transitions_total',
    type: 'counter',
    labels: ['target', 'provider', 'action', 'result'],
    help: 'Start/stop actions finished, by result: accepted (provider took it), already (resource was in that state), failed (gave up), superseded (a newer decision replaced it before it ran).',
  },
  failures: {
    name: 'offhours_failures_total',
    type: 'counter',
    labels: ['provider', 'reason'],
    help: 'Failures by reason: a provider failure class (conflict, throttled, auth, not-found, invalid, transient) or stuck, verify-timeout, redis, config; provider is empty for redis and config. auth, not-found and invalid need a human.',
  },
  providerRequests: {
    name: 'offhours_provider_requests_total',
    type: 'counter',
    labels: ['provider', 'operation', 'outcome'],
    help: 'Requests sent to provider APIs, by operation (start, stop, status) and outcome (ok, or the failure class of the answer).',
  },
  providerRequestDuration: {
    name: 'offhours_provider_request_duration_seconds',
    type: 'histogram',
    labels: ['provider', 'operation'],
    help: 'Time a provider API took to answer, errors included.',
    buckets: HTTP_API_BUCKETS,
  },
  rateLimitDeferrals: {
    name: 'offhours_rate_limit_deferrals_total',
    type: 'counter',
    labels: ['provider', 'operation'],
    help: "Calls our rate limiter delayed to stay inside the provider's documented limits; expected, not an error.",
  },
  providerThrottles: {
    name: 'offhours_provider_throttles_total',
    type: 'counter',
    labels: ['provider', 'operation'],
    help: 'Rate-limit refusals (429 or equivalent) received from a provider. Should stay 0: any increase means our limits for that provider are wrong.',
  },
  desiredState: {
    name: 'offhours_target_desired_state',
    type: 'gauge',
    labels: ['target', 'provider', 'state'],
    help: 'State the schedule, overrides and idle policy want for the target now: 1 on the current state (running, stopped, or any when the schedule leaves the target alone), 0 on the others.',
  },
  observedState: {
    name: 'offhours_target_observed_state',
    type: 'gauge',
    labels: ['target', 'provider', 'state'],
    help: 'State the provider last reported for the target: 1 on the current state (running, stopped, starting, stopping, unknown), 0 on the others.',
  },
  actionLag: {
    name: 'offhours_action_lag_seconds',
    type: 'histogram',
    labels: ['provider', 'action'],
    help: 'Time from the instant an action was due (schedule edge, override, idle decision) to the provider accepting it; rate-limit waits included.',
    buckets: ACTION_LAG_BUCKETS,
  },
  deferredActions: {
    name: 'offhours_deferred_actions',
    type: 'gauge',
    labels: ['provider'],
    help: 'Start/stop actions currently waiting for a rate-limit window to open.',
  },
  targetStoppedSeconds: {
    name: 'offhours_target_stopped_seconds_total',
    type: 'counter',
    labels: ['target', 'provider'],
    help: 'Time the target was observed stopped; the basis of the savings estimate.',
  },
  estimatedSavings: {
    name: 'offhours_estimated_savings_total',
    type: 'counter',
    labels: ['target', 'provider'],
    help: "Money saved by keeping the target stopped, in the currency of its configured cost per hour; absent for targets without one.",
  },
  up: {
    name: 'offhours_up',
    type: 'gauge',
    labels: [],
    help: '1 while the daemon process runs.',
  },
  ready: {
    name: 'offhours_ready',
    type: 'gauge',
    labels: [],
    help: '1 when the daemon is ready (config loaded, Redis reachable), as /readyz reports; 0 otherwise.',
  },
  redisUp: {
    name: 'offhours_redis_up',
    type: 'gauge',
    labels: [],
    help: '1 when Redis answers, 0 when it does not; without Redis no action is queued.',
  },
  configTargets: {
    name: 'offhours_config_targets',
    type: 'gauge',
    labels: [],
    help: 'Targets in the loaded configuration.',
  },
  buildInfo: {
    name: 'offhours_build_info',
    type: 'gauge',
    labels: ['version', 'node'],
    help: 'Always 1; labels give the offhours version and the Node.js version running it.',
  },
  scheduleNextTransition: {
    name: 'offhours_schedule_next_transition_timestamp_seconds',
    type: 'gauge',
    labels: ['schedule'],
    help: 'Unix time of the next start or stop edge of the schedule.',
  },
  idleStops: {
    name: 'offhours_idle_stops_total',
    type: 'counter',
    labels: ['target', 'provider'],
    help: "Idle stops decided: the target's idle signal read idle for the whole `for` inside a running window while it ran, and the provider's start limit allowed the stop.",
  },
  idleStopsBlocked: {
    name: 'offhours_idle_stops_blocked_total',
    type: 'counter',
    labels: ['target', 'reason'],
    help: "Idle stops that were due but held back so the provider's start limit cannot strand the target, by reason: start-budget (it could not be started again now), next-start (its next scheduled start is within one start window). Counted once per blocked stretch.",
  },
  idleSignalFailures: {
    name: 'offhours_idle_signal_failures_total',
    type: 'counter',
    labels: ['policy', 'reason'],
    help: 'Idle signal readings without a usable value, by reason: timeout, unreachable, http-status, query-error, malformed, empty, not-a-number, missing-field. Each counts as active, so none stops anything.',
  },
  idleSignalValue: {
    name: 'offhours_idle_signal_value',
    type: 'gauge',
    labels: ['target'],
    help: "Last value read from the target's idle signal (the HTTP status for a status probe); NaN when the last reading had none.",
  },
} as const satisfies Record<string, MetricDoc & { buckets?: readonly number[] }>;

export const METRICS_DOC: readonly MetricDoc[] = Object.values(DEFINITIONS).map(({ name, type, labels, help }) => ({
  name,
  type,
  labels,
  help,
}));

// Narrow views of prom-client's metrics: every label required, enum-like labels typed.
export interface CounterOf<L> {
  inc(labels: L, value?: number): void;
}
export interface GaugeOf<L> {
  set(labels: L, value: number): void;
  inc(labels: L, value?: number): void;
  dec(labels: L, value?: number): void;
}
export interface HistogramOf<L> {
  observe(labels: L, value: number): void;
  /** returns a function that observes the seconds elapsed since the call */
  startTimer(labels: L): () => number;
}

interface TargetLabels {
  target: string;
  provider: string;
}
interface ProviderOperationLabels {
  provider: string;
  operation: Operation;
}

export interface Metrics {
  transitions: CounterOf<TargetLabels & { action: Action; result: TransitionResult }>;
  failures: CounterOf<{ provider: string; reason: FailureReason }>;
  providerRequests: CounterOf<ProviderOperationLabels & { outcome: RequestOutcome }>;
  providerRequestDuration: HistogramOf<ProviderOperationLabels>;
  rateLimitDeferrals: CounterOf<ProviderOperationLabels>;
  providerThrottles: CounterOf<ProviderOperationLabels>;
  actionLag: HistogramOf<{ provider: string; action: Action }>;
  deferredActions: GaugeOf<{ provider: string }>;
  targetStoppedSeconds: CounterOf<TargetLabels>;
  estimatedSavings: CounterOf<TargetLabels>;
  up: Gauge;
  ready: Gauge;
  redisUp: Gauge;
  configTargets: Gauge;
  scheduleNextTransition: GaugeOf<{ schedule: string }>;
  idleStops: CounterOf<TargetLabels>;
  idleStopsBlocked: CounterOf<{ target: string; reason: IdleBlockLabel }>;
  idleSignalFailures: CounterOf<{ policy: string; reason: SignalFailure }>;
  idleSignalValue: GaugeOf<{ target: string }>;
  setBuildInfo(version: string, node: string): void;
  /** 1 on `state`, 0 on the kind's other states, so a PromQL `== 1` always finds exactly one series */
  setTargetState<K extends StateKind>(kind: K, target: string, provider: string, state: TargetStateOf<K>): void;
  /** drops every series of a target no longer in the config */
  removeTarget(target: string): Promise<void>;
  /** drops the next-transition series of a schedule no longer in the config */
  removeSchedule(schedule: string): Promise<void>;
}

interface Definition<L extends string> {
  name: string;
  help: string;
  labels: readonly L[];
  buckets?: readonly number[];
}

/** Creates every metric on `registry` (never prom-client's global one). */
export function createMetrics(registry: Registry): Metrics {
  const registers = [registry];
  const config = <L extends string>(def: Definition<L>) => ({ name: def.name, help: def.help, labelNames: def.labels, registers });
  const counter = <L extends string>(def: Definition<L>) => new Counter<L>(config(def));
  const gauge = <L extends string>(def: Definition<L>) => new Gauge<L>(config(def));
  const histogram = <L extends string>(def: Definition<L>) =>
    new Histogram<L>({ ...config(def), ...(def.buckets ? { buckets: [...def.buckets] } : {}) });

  const desiredState = gauge(DEFINITIONS.desiredState);
  const observedState = gauge(DEFINITIONS.observedState);
  const buildInfo = gauge(DEFINITIONS.buildInfo);
  const transitions = counter(DEFINITIONS.transitions);
  const targetStoppedSeconds = counter(DEFINITIONS.targetStoppedSeconds);
  const estimatedSavings = counter(DEFINITIONS.estimatedSavings);
  const scheduleNextTransition = gauge(DEFINITIONS.scheduleNextTransition);
  const idleStops = counter(DEFINITIONS.idleStops);
  const idleStopsBlocked = counter(DEFINITIONS.idleStopsBlocked);
  const idleSignalValue = gauge(DEFINITIONS.idleSignalValue);
  const up = gauge(DEFINITIONS.up);
  up.set(1);

  return {
    transitions,
    failures: counter(DEFINITIONS.failures),
    providerRequests: counter(DEFINITIONS.providerRequests),
    providerRequestDuration: histogram(DEFINITIONS.providerRequestDuration),
    rateLimitDeferrals: counter(DEFINITIONS.rateLimitDeferrals),
    providerThrottles: counter(DEFINITIONS.providerThrottles),
    actionLag: histogram(DEFINITIONS.actionLag),
    deferredActions: gauge(DEFINITIONS.deferredActions),
    targetStoppedSeconds,
    estimatedSavings,
    up,
    ready: gauge(DEFINITIONS.ready),
    redisUp: gauge(DEFINITIONS.redisUp),
    configTargets: gauge(DEFINITIONS.configTargets),
    scheduleNextTransition,
    idleStops,
    idleStopsBlocked,
    idleSignalFailures: counter(DEFINITIONS.idleSignalFailures),
    idleSignalValue,
    setBuildInfo(version, node) {
      buildInfo.reset();
      buildInfo.set({ version, node }, 1);
    },
    setTargetState(kind, target, provider, state) {
      const [metric, states] = kind === 'desired' ? [desiredState, DESIRED_STATES] : [observedState, OBSERVED_STATES];
      if (!(states as readonly string[]).includes(state)) throw new Error(`[metrics] "${state}" is not a ${kind} state (${states.join(', ')})`);
      for (const each of states) metric.set({ target, provider, state: each }, each === state ? 1 : 0);
    },
    removeTarget: (target) => removeSeries([transitions, desiredState, observedState, targetStoppedSeconds, estimatedSavings, idleStops, idleStopsBlocked, idleSignalValue], 'target', target),
    removeSchedule: (schedule) => removeSeries([scheduleNextTransition], 'schedule', schedule),
  };
}

/** prom-client removes only exact label sets, so the series carrying the label are looked up first. */
async function removeSeries(metrics: readonly (Counter<string> | Gauge<string>)[], label: string, value: string): Promise<void> {
  for (const metric of metrics) {
    const { values } = await metric.get();
    for (const series of values) {
      if (series.labels[label] === value) metric.remove(series.labels as Record<string, string | number>);
    }
  }
}
