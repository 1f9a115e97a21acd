// `npm run bench`: speed and memory figures as one JSON document on stdout (progress on stderr).
// Targets from the issues: 100,000 targets within 512 MB RSS on one 2-core machine; p99 lag from a
// scheduled instant to the provider call within 1 s at 10,000 targets.
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createMetrics } from '../src/observability/metrics.ts';
import { createReconciler } from '../src/planner/reconciler.ts';
import type { ProviderAdapter } from '../src/providers/provider.ts';
import { createActionProcessor } from '../src/queue/action-processor.ts';
import { createActionQueue } from '../src/queue/action-queue.ts';
import { createActionWorker } from '../src/queue/action-worker.ts';
import { createLimiter } from '../src/queue/limiter.ts';
import type { ManagedTarget } from '../src/queue/managed-target.ts';
import { createStatusReader } from '../src/queue/status-reader.ts';
import { createTargetStore } from '../src/queue/target-store.ts';
import { compileSchedule } from '../src/schedule/compile-schedule.ts';
import type { CompiledSchedule } from '../src/schedule/compiled-schedule.ts';
import { systemClock } from '../src/util/clock.ts';
import { startEmbeddedRedis } from '../src/util/embedded-redis.ts';

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
const rssMb = () => Math.round(process.memoryUsage().rss / 1048576);
let peakRss = rssMb();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb())), 100);

function perCall(fn: (i: number) => unknown, calls: number): number {
  for (let i = 0; i < Math.min(calls, 1_000); i++) fn(i);
  const started = performance.now();
  for (let i = 0; i < calls; i++) fn(i);
  return ((performance.now() - started) * 1000) / calls;
}

function scheduleBench() {
  progress('schedule engine');
  const at = new Date('2026-11-23T10:00:00Z');
  const periods = compileSchedule('office', { running: ['Mon-Fri 08:00-19:00'], timezone: 'Europe/Berlin', except: ['2026-12-24..2026-12-26'] }, { timezone: 'UTC' });
  const cron = compileSchedule('cron', { cron: { start: '0 8 * * 1-5', stop: '0 19 * * 1-5' }, timezone: 'America/New_York' }, { timezone: 'UTC' });
  const step = (i: number) => new Date(at.getTime() + i * 37_000);
  return {
    periodsStateAtUs: perCall((i) => periods.stateAt(step(i)), 20_000),
    periodsNextTransitionUs: perCall((i) => periods.nextTransition(step(i)), 5_000),
    periodsLastTransitionUs: perCall((i) => periods.lastTransition(step(i)), 5_000),
    cronStateAtUs: perCall((i) => cron.stateAt(step(i)), 2_000),
    cronNextTransitionUs: perCall((i) => cron.nextTransition(step(i)), 2_000),
    cronLastTransitionUs: perCall((i) => cron.lastTransition(step(i)), 2_000),
  };
}

/** an in-process provider: no HTTP, so the figures are offhours' own overhead */
function fakeAdapter(calls: Map<string, number>, initial: 'running' | 'stopped'): ProviderAdapter {
  const state = new Map<string, 'running' | 'stopped'>();
  return {
    name: 'bench',
    type: 'bench',
    limits: {},
    limitScope: 'resource',
    capabilities: { reportsTransitions: true, batchStatus: false },
    status: async (resource) => {
      const s = state.get(resource) ?? initial;
      return { state: s, raw: s };
    },
    start: async (resource) => {
      calls.set(resource, performance.timeOrigin + performance.now());
      state.set(resource, 'running');
      return { kind: 'accepted' };
    },
    stop: async (resource) => {
      state.set(resource, 'stopped');
      return { kind: 'accepted' };
    },
    close: async () => {},
  };
}

function edgeAt(at: Date): CompiledSchedule {
  return {
    name: 'edge',
    timezone: 'UTC',
    stateAt: (t) => (t.getTime() >= at.getTime() ? { state: 'running', reason: 'bench edge passed' } : { state: 'stopped', reason: 'bench before edge' }),
    nextTransitions: (from, until) => (at > from && at <= until ? [{ at, state: 'running', reason: 'bench edge' }] : []),
    nextTransition: (from) => (at > from ? { at, state: 'running', reason: 'bench edge' } : null),
    lastTransition: (t) => (t >= at ? { at, state: 'running', reason: 'bench edge' } : null),
  };
}

async function daemonBench(url: string, count: number, measureLag: boolean) {
  const prefix = `bench-${count}-${Date.now()}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  // as in main.ts: the daemon's own state has a connection of its own that fails fast
  const state = new Redis(url, { maxRetriesPerRequest: 1 });
  const logger = pino({ level: 'silent' });
  const metrics = createMetrics(new Registry());
  const calls = new Map<string, number>();
  const adapter = fakeAdapter(calls, measureLag ? 'stopped' : 'running');
  // the edge leaves time for the first pass and its 10k "already stopped" checks to drain, so the lag
  // measured is that of the edge alone
  const edge = new Date(Date.now() + (measureLag ? 20_000 : 3_600_000));
  const schedule = edgeAt(edge);
  const targets: ManagedTarget[] = Array.from({ length: count }, (_, i) => ({
    name: `t${i}`,
    provider: 'bench',
    resource: `r${i}`,
    schedule,
    scheduleName: 'edge',
    enabled: true,
    adapter,
    // verify as for EMQX (every 30 s): the verify rounds do not compete with the starts being measured
    poll: { steadyMs: 3_600_000, verifyMs: 30_000, timeoutMs: 600_000 },
  }));
  const store = createTargetStore(state, prefix);
  const limiter = createLimiter(state);
  const queue = createActionQueue({ connection: redis, prefix });
  const clock = systemClock();
  const processor = createActionProcessor({
    prefix,
    targets: new Map(targets.map((t) => [t.name, t])),
    limiter,
    store,
    readStatus: createStatusReader({ prefix, limiter, store, metrics, logger, now: () => performance.now() }),
    queue,
    metrics,
    logger,
    now: () => clock.now(),
  });
  const worker = createActionWorker({ connection: redis, prefix, processor, logger, concurrency: Number(process.env.BENCH_CONCURRENCY ?? 128) });
  const reconciler = createReconciler({ targets, store, queue, clock, logger, metrics });

  const before = rssMb();
  const started = performance.now();
  await reconciler.start(); // first pass: desired state of every target, ensure + observe jobs enqueued
  const firstPassMs = Math.round(performance.now() - started);
  progress(`${count} targets: first pass ${firstPassMs} ms`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const result: Record<string, number> = {
    targets: count,
    firstPassMs,
    rssBeforeMb: before,
    rssAfterFirstPassMb: rssMb(),
    // live heap after a full collection (node --expose-gc): what the daemon keeps, not what it has not freed yet
    heapLiveMb: gc ? Math.round(process.memoryUsage().heapUsed / 1048576) : NaN,
  };
  if (measureLag) {
    void worker.run();
    while ((await queue.queue.getJobCounts('waiting', 'active')).waiting! + (await queue.queue.getJobCounts('active')).active! > 0) {
      await new Promise((r) => setTimeout(r, 200));
    }
    result.drainedBeforeEdgeMs = Math.round(edge.getTime() - Date.now());
    progress(`${count} targets: first checks drained ${result.drainedBeforeEdgeMs} ms before the edge`);
    while (calls.size < count && performance.now() - started < 120_000) await new Promise((r) => setTimeout(r, 200));
    const lags = [...calls.values()].map((t) => t - edge.getTime()).sort((a, b) => a - b);
    const pct = (p: number) => Math.round(lags[Math.min(lags.length - 1, Math.floor((lags.length * p) / 100))] ?? NaN);
    Object.assign(result, { started: lags.length, lagMinMs: Math.round(lags[0] ?? NaN), lagP50Ms: pct(50), lagP99Ms: pct(99), lagMaxMs: Math.round(lags.at(-1) ?? NaN) });
    progress(`${count} targets: ${lags.length} starts, p99 lag ${result.lagP99Ms} ms`);
  }
  await reconciler.stop();
  await worker.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  await redis.quit();
  await state.quit();
  return result;
}

const embedded = process.env.REDIS_URL ? undefined : await startEmbeddedRedis();
const url = process.env.REDIS_URL ?? embedded!.url;
try {
  // BENCH_ONLY=lag|scale|schedule runs one part (the others report null)
  const only = process.env.BENCH_ONLY;
  const schedule = !only || only === 'schedule' ? scheduleBench() : null;
  const lag10k = !only || only === 'lag' ? await daemonBench(url, 10_000, true) : null;
  const scale100k = !only || only === 'scale' ? await daemonBench(url, 100_000, false) : null;
  clearInterval(sampler);
  const report = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    schedule,
    lag10k,
    scale100k,
    peakRssMb: peakRss,
    targets: { rssLimitMb: 512, lagP99LimitMs: 1000 },
    ok: { rss: peakRss <= 512, lag: (lag10k?.lagP99Ms ?? Infinity) <= 1000 },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} finally {
  await embedded?.stop();
}
