import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { IdlePolicyConfig } from '../config/config-schema.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ActionQueue } from '../queue/action-queue.ts';
import type { Limiter } from '../queue/limiter.ts';
import type { ManagedTarget } from '../queue/managed-target.ts';
import type { TargetStore } from '../queue/target-store.ts';
import type { Clock } from '../util/clock.ts';
import { applyNativeIdle } from './clickhouse-native-idle.ts';
import { idlePayloadSchema } from './idle-payloads.ts';
import { resolveIdlePolicy, type IdlePolicy } from './idle-policy.ts';
import { createIdleQueue, IDLE_QUEUE_NAME, type IdleQueue } from './idle-queue.ts';
import { createIdleSampler } from './idle-sampler.ts';
import { createIdleSignal, type IdleSignal } from './idle-signal.ts';

export interface IdleRuntimeDeps {
  connection: ConnectionOptions;
  prefix: string;
  targets: readonly ManagedTarget[];
  policies: Readonly<Record<string, IdlePolicyConfig>>;
  store: TargetStore;
  limiter: Limiter;
  actions: Pick<ActionQueue, 'enqueueDecisions'>;
  metrics: Metrics;
  logger: Logger;
  dispatcher: Dispatcher;
  clock: Clock;
  /** readings run at once */
  concurrency?: number;
  /** how often every sampling chain is enqueued again, so one lost to a Redis outage resumes (default 5m) */
  reseedMs?: number;
}

export interface IdleRuntime {
  readonly queue: IdleQueue | undefined;
  /** starts the sampling chains and applies provider-native policies; nothing when no target has a policy */
  start(): Promise<void>;
  close(): Promise<void>;
}

export type IdleJobResult = 'sampled' | 'native-applied' | 'target-removed' | 'no-policy';

interface Sampled {
  target: ManagedTarget;
  policy: IdlePolicy;
  signal: IdleSignal;
}

/**
 * Idle policies at run time: a BullMQ queue of its own (readings never wait behind start/stop work),
 * one reading chain per target with a sampled policy (deterministic job ids per slot, like observation),
 * and one job per target with a provider-native policy.
 */
export function createIdleRuntime(deps: IdleRuntimeDeps): IdleRuntime {
  const { logger, clock } = deps;
  const enabled = deps.targets.filter((target) => target.enabled && target.idle !== undefined);
  const policies = new Map<string, { policy: IdlePolicy; signal: IdleSignal }>();
  for (const [name, config] of Object.entries(deps.policies)) {
    if (config.type === 'clickhouse-native') continue;
    const policy = resolveIdlePolicy(name, config);
    policies.set(name, { policy, signal: createIdleSignal(config, { dispatcher: deps.dispatcher, timeoutMs: policy.timeoutMs }) });
  }
  const sampled = new Map<string, Sampled>();
  const native = new Map<string, ManagedTarget>();
  for (const target of enabled) {
    const entry = policies.get(target.idle!);
    if (entry) sampled.set(target.name, { target, ...entry });
    else if (deps.policies[target.idle!]?.type === 'clickhouse-native') native.set(target.name, target);
  }
  if (sampled.size === 0 && native.size === 0) return { queue: undefined, start: async () => {}, close: async () => {} };

  const queue = createIdleQueue({ connection: deps.connection, prefix: deps.prefix });
  const sample = createIdleSampler({ prefix: deps.prefix, store: deps.store, limiter: deps.limiter, actions: deps.actions, metrics: deps.metrics, logger });
  const chains = [...sampled.values()].map(({ target, policy }) => ({ name: target.name, timing: policy }));

  async function processor(job: Job, token?: string): Promise<IdleJobResult> {
    const at = clock.now();
    const data = idlePayloadSchema.parse(job.data);
    if (data.kind === 'sample') {
      const entry = sampled.get(data.target);
      if (!entry) return 'target-removed';
      try {
        await sample(entry.target, entry.policy, entry.signal, at);
        return 'sampled';
      } finally {
        await queue.enqueueSample(entry.target.name, entry.policy, at);
      }
    }
    const target = native.get(data.target);
    const config = target ? deps.policies[target.idle!] : undefined;
    if (!target || config?.type !== 'clickhouse-native') return 'no-policy';
    const outcome = await applyNativeIdle(target, config, at, { prefix: deps.prefix, limiter: deps.limiter, store: deps.store, logger });
    if (outcome.kind === 'applied') return 'native-applied';
    if (outcome.kind === 'limited') {
      await job.moveToDelayed(outcome.retryAt.getTime(), token);
      throw new DelayedError();
    }
    throw outcome.retry ? new Error(outcome.message) : new UnrecoverableError(outcome.message);
  }

  const worker = new Worker(IDLE_QUEUE_NAME, processor, { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 32, autorun: false });
  worker.on('failed', (job, error) => logger.warn({ job: job?.id, err: error.message }, 'idle job failed'));
  worker.on('error', (error) => logger.warn({ err: error.message }, 'idle worker error'));
  let reseed: NodeJS.Timeout | undefined;

  return {
    queue,
    async start() {
      await queue.enqueueSamples(chains, clock.now());
      for (const target of native.values()) {
        const config = deps.policies[target.idle!];
        if (config?.type === 'clickhouse-native') await queue.enqueueNative(target.name, config);
      }
      void worker.run().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'idle worker stopped'));
      // Chains meet again at their next slot (deterministic ids), so seeding a running chain adds nothing.
      reseed = setInterval(() => void queue.enqueueSamples(chains, clock.now()).catch(() => {}), deps.reseedMs ?? 300_000);
      logger.info({ sampled: sampled.size, native: native.size }, 'idle policies running');
    },
    async close() {
      if (reseed) clearInterval(reseed);
      await worker.close();
      await queue.close();
    },
  };
}
