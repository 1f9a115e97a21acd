// The composition root: the only place that creates clocks, loggers, registries, dispatchers and Redis
// connections, and hands them to everything else. Teardown runs in reverse order of construction.
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { Agent } from 'undici';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load-config.ts';
import { createHttpServer, type JsonRoute } from './observability/http-server.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { createIdleRuntime } from './idle/idle-runtime.ts';
import { overrideRoutes } from './planner/override-routes.ts';
import { createReconciler, type Reconciler } from './planner/reconciler.ts';
import type { ProviderAdapter } from './providers/provider.ts';
import { providerDefinition, providerDefinitions } from './providers/registry.ts';
import { createActionProcessor } from './queue/action-processor.ts';
import { createActionQueue } from './queue/action-queue.ts';
import { createActionWorker } from './queue/action-worker.ts';
import { createLimiter, type Limiter } from './queue/limiter.ts';
import { limitRules } from './queue/limit-rules.ts';
import { pollSettings, type ManagedTarget } from './queue/managed-target.ts';
import { createStatusReader } from './queue/status-reader.ts';
import { createTargetStore, type TargetStore } from './queue/target-store.ts';
import { statusReport } from './planner/status-report.ts';
import { systemClock, type Clock } from './util/clock.ts';
import { redactUrl } from './observability/logger.ts';

export const VERSION = '0.1.0';

export interface DaemonOptions {
  loaded: LoadedConfig;
  logger: Logger;
  clock?: Clock;
  /** overrides config's http.port (0 = any free port; tests use it) */
  httpPort?: number;
  /** false: no HTTP server (embedded use) */
  http?: boolean;
  concurrency?: number;
  /** how often overrides are read from Redis (default 5s) */
  overrideRefreshMs?: number;
}

export interface Daemon {
  readonly httpPort: number | undefined;
  readonly store: TargetStore;
  readonly metrics: Metrics;
  readonly registry: Registry;
  readonly reconciler: Reconciler;
  /** first SIGTERM: stop scheduling, let running jobs finish, close queue, Redis and HTTP */
  stop(): Promise<void>;
}

/** Builds one adapter per provider entry, each with its own undici dispatcher share. */
/**
 * Builds one adapter per provider entry. `budget` (the limiter) lets an adapter pay for a follow-up
 * request it must make inside one call, so that request is inside the limits like every other.
 */
export function createAdapters(
  loaded: LoadedConfig,
  logger: Logger,
  dispatcher: Agent,
  budget?: { limiter: Limiter; prefix: string; now: () => Date },
): Map<string, ProviderAdapter> {
  const adapters = new Map<string, ProviderAdapter>();
  for (const [name, entry] of Object.entries(loaded.config.providers)) {
    const definition = providerDefinition(entry.type);
    if (!definition) throw new Error(`[config] providers.${name}.type: unknown provider type "${entry.type}"`);
    const extraRequest = budget
      ? async (resource: string) =>
          (await budget.limiter.take(limitRules(budget.prefix, adapters.get(name)!, 'status', resource), budget.now(), `extra:${name}:${resource}`)).granted
      : undefined;
    adapters.set(name, definition.create(name, entry, { logger: logger.child({ provider: name }), dispatcher, ...(extraRequest ? { extraRequest } : {}) }));
  }
  return adapters;
}

export function managedTargets(loaded: LoadedConfig, adapters: ReadonlyMap<string, ProviderAdapter>): ManagedTarget[] {
  const perProvider = new Map<string, number>();
  for (const target of loaded.targets) if (target.enabled) perProvider.set(target.provider, (perProvider.get(target.provider) ?? 0) + 1);
  return loaded.targets.map((target) => {
    const adapter = adapters.get(target.provider)!;
    const entry = loaded.config.providers[target.provider]!;
    return {
      name: target.name,
      provider: target.provider,
      resource: target.resource,
      schedule: target.schedule,
      scheduleName: target.scheduleName,
      enabled: target.enabled,
      adapter,
      poll: pollSettings(adapter, entry.poll, perProvider.get(target.provider)),
      ...(target.idle === undefined ? {} : { idle: target.idle }),
      ...(target.costPerHour === undefined ? {} : { costPerHour: target.costPerHour }),
    };
  });
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { loaded, logger } = options;
  const clock = options.clock ?? systemClock();
  const prefix = loaded.config.redis.prefix;
  const registry = new Registry();
  const metrics = createMetrics(registry);
  metrics.setBuildInfo(VERSION, process.version);
  metrics.configTargets.set(loaded.targets.length);

  // Commands fail fast while Redis is away (instead of queueing in memory), so passes report the
  // outage and readiness drops; ioredis keeps reconnecting in the background. No auto-pipelining: in
  // ioredis 6 a pipeline answered short throws from a nextTick callback and takes the process down
  // (redis/ioredis#1931), which a large first pass and quit() reproduced here.
  const redis = new Redis(loaded.config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', (error) => logger.debug({ err: error.message }, 'redis connection error'));
  // BullMQ wants its own connection that waits out outages (maxRetriesPerRequest: null).
  const bull = new Redis(loaded.config.redis.url, { maxRetriesPerRequest: null, lazyConnect: true });
  bull.on('error', (error) => logger.debug({ err: error.message }, 'redis (queue) connection error'));
  await Promise.allSettled([redis.connect(), bull.connect()]);

  const store = createTargetStore(redis, prefix);
  const limiter = createLimiter(redis);
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  const adapters = createAdapters(loaded, logger, dispatcher, { limiter, prefix, now: () => clock.now() });
  const targets = managedTargets(loaded, adapters);
  const targetsByName = new Map(targets.map((target) => [target.name, target]));
  const queue = createActionQueue({ connection: bull, prefix, onError: (error) => logger.debug({ err: error.message }, 'queue connection error') });
  const readStatus = createStatusReader({ prefix, limiter, store, metrics, logger, now: () => performance.now() });
  const processor = createActionProcessor({
    prefix,
    targets: targetsByName,
    limiter,
    store,
    readStatus,
    queue,
    metrics,
    logger,
    now: () => clock.now(),
  });
  const worker = createActionWorker({ connection: bull, prefix, processor, logger, concurrency: options.concurrency });
  const idle = createIdleRuntime({
    connection: bull,
    prefix,
    targets,
    policies: loaded.config.idlePolicies,
    store,
    limiter,
    actions: queue,
    metrics,
    logger,
    dispatcher,
    clock,
  });

  let redisUp = false;
  /** set by stop(): /readyz answers 503 from then on, so no new traffic is routed to a replica going away */
  let stopping = false;
  async function checkRedis(): Promise<void> {
    try {
      await redis.ping();
      if (!redisUp) logger.info({ redis: redactUrl(loaded.config.redis.url) }, 'redis reachable');
      redisUp = true;
    } catch (error) {
      if (redisUp) logger.error({ err: (error as Error).message }, 'redis unreachable; not ready until it is back');
      redisUp = false;
    }
    metrics.redisUp.set(redisUp ? 1 : 0);
    metrics.ready.set(redisUp && !stopping ? 1 : 0);
  }
  /** deferrals live in Redis (any replica may have deferred a call); the gauge shows them per provider */
  async function countDeferred(): Promise<void> {
    const counts = new Map<string, number>([...adapters.keys()].map((name) => [name, 0]));
    for (const name of (await store.allDeferred()).keys()) {
      const provider = targetsByName.get(name)?.provider;
      if (provider) counts.set(provider, (counts.get(provider) ?? 0) + 1);
    }
    for (const [provider, count] of counts) metrics.deferredActions.set({ provider }, count);
  }
  await checkRedis();
  const health = setInterval(() => {
    void checkRedis().then(() => (redisUp ? countDeferred() : undefined)).catch(() => {});
  }, 2_000);

  const reconciler = createReconciler({
    targets,
    store,
    queue,
    clock,
    logger,
    metrics,
    ...(options.overrideRefreshMs ? { overrideRefreshMs: options.overrideRefreshMs } : {}),
    onError: () => {
      metrics.failures.inc({ provider: '', reason: 'redis' });
    },
  });

  const routes: JsonRoute[] = [
    {
      method: 'GET',
      path: '/api/status',
      handler: async () => ({ status: 200, body: await statusReport({ targets, store, at: clock.now(), idlePolicies: loaded.config.idlePolicies }) }),
    },
    ...overrideRoutes({ store, targets, now: () => clock.now(), token: loaded.config.http.apiToken }),
  ];
  const server =
    options.http === false
      ? undefined
      : createHttpServer({
          registry,
          logger,
          host: loaded.config.http.host,
          port: options.httpPort ?? loaded.config.http.port,
          routes,
          ready: () => ({ ready: redisUp && !stopping, checks: { redis: redisUp ? 'up' : 'down', config: 'loaded', ...(stopping ? { daemon: 'stopping' } : {}) } }),
        });
  let listening: { port: number } | undefined;
  try {
    listening = server ? await server.start() : undefined;
  } catch (error) {
    // e.g. the port is taken: release what was opened so far, then report
    clearInterval(health);
    await worker.close();
    await queue.close();
    await Promise.allSettled([redis.quit(), bull.quit()]);
    await dispatcher.close();
    throw new Error(`[http] cannot listen on ${loaded.config.http.host}:${options.httpPort ?? loaded.config.http.port}: ${(error as Error).message}`);
  }

  void worker.run().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'worker stopped'));
  await reconciler.start();
  await idle.start();
  logger.info({ targets: targets.length, http: listening?.port }, 'offhours daemon running');
  if (listening && !loaded.config.http.apiToken) {
    logger.warn({ http: listening.port }, 'override API writes are open to anyone who reaches this port: set http.apiToken to require a bearer token');
  }

  return {
    httpPort: listening?.port,
    store,
    metrics,
    registry,
    reconciler,
    async stop() {
      stopping = true;
      metrics.ready.set(0);
      await reconciler.stop();
      clearInterval(health);
      await idle.close();
      await worker.close();
      await queue.close();
      await Promise.allSettled([redis.quit(), bull.quit()]);
      await server?.close();
      await dispatcher.close();
      for (const adapter of adapters.values()) await adapter.close();
      logger.info('offhours daemon stopped');
    },
  };
}

export { loadConfig, providerDefinitions, createLogger };
