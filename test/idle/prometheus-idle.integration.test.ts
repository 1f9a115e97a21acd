// Idle policies end to end against a REAL Prometheus (Debian's `prometheus`, started here on loopback)
// scraping a tiny exporter this test serves and flips between busy and idle, driving the daemon with the
// EMQX simulator (its hour scaled to 3 s) and real Redis. Waits on events (requests, audit entries,
// readings), never on fixed sleeps; every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IdleState } from '../../src/idle/idle-state.ts';
import type { Daemon } from '../../src/main.ts';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';
import { EMQX_WINDOW_MS, loadTestConfig, useDaemonHarness } from '../support/daemon-harness.ts';
import { emqxDaemonYaml } from '../support/emqx-daemon-yaml.ts';
import { emqxPosts } from '../support/emqx-posts.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const missing = !existsSync(PROMETHEUS);

const FOR_MS = 2_000;

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The exporter: one gauge per scenario; `down` answers 503, which Prometheus records as a failed scrape. */
const exporter = { values: new Map<string, number>(), down: false };
let exporterServer: Server;
let prometheus: ChildProcess;
let promUrl: string;
let dataDir: string;

async function startPrometheus(): Promise<void> {
  exporterServer = createHttpServer((_request, response) => {
    if (exporter.down) return void response.writeHead(503).end('down');
    const lines = [...exporter.values].map(([scenario, value]) => `offhours_test_connections{scenario="${scenario}"} ${value}`);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE offhours_test_connections gauge\n${lines.join('\n')}\n`);
  });
  await new Promise<void>((resolve) => exporterServer.listen(0, '127.0.0.1', resolve));
  const exporterPort = (exporterServer.address() as AddressInfo).port;
  dataDir = mkdtempSync(join(tmpdir(), 'offhours-test-prometheus-'));
  writeFileSync(
    join(dataDir, 'prometheus.yml'),
    `global: { scrape_interval: 200ms, scrape_timeout: 150ms }\nscrape_configs:\n  - job_name: exporter\n    static_configs: [{ targets: ["127.0.0.1:${exporterPort}"] }]\n`,
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  let output = '';
  prometheus = spawn(PROMETHEUS, [`--config.file=${join(dataDir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dataDir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  prometheus.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  prometheus.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => prometheus.once('exit', (code) => reject(new Error(`prometheus exited with ${code}: ${output.slice(-2000)}`))));
  exited.catch(() => {});
  // ready once the exporter has been scraped: `up` is 1
  await Promise.race([
    exited,
    vi.waitFor(
      async () => {
        const body = (await (await fetch(`${promUrl}/api/v1/query?query=up`)).json()) as { data: { result: { value: [number, string] }[] } };
        expect(body.data.result[0]?.value[1]).toBe('1');
      },
      { timeout: 30_000, interval: 100 },
    ),
  ]);
}

beforeAll(async () => {
  if (!missing) await startPrometheus();
}, 40_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exit = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exit;
  }
  await new Promise<void>((resolve) => (exporterServer ? exporterServer.close(() => resolve()) : resolve()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const harness = useDaemonHarness();
afterEach(() => {
  exporter.down = false;
});

const query = (scenario: string) => `offhours_test_connections{scenario="${scenario}"}`;

/** A daemon on the simulator; `policies` and `targets` are YAML lines. The prometheus URL is filled in. */
async function daemonFor(sim: SimulatorServer, schedules: string, policies: string, targets: string): Promise<Daemon> {
  const yaml = `${emqxDaemonYaml(sim, `t-${randomUUID()}`)}schedules:
${schedules}
idlePolicies:
${policies.replaceAll('PROM', promUrl)}
targets:
${targets}
`;
  return harness.daemon(loadTestConfig(yaml, 'idle-test.yaml'));
}

const policy = (name: string, scenario: string, extra = '') =>
  `  ${name}: { type: prometheus, url: "PROM", query: '${query(scenario)}', threshold: 0, for: ${FOR_MS}ms, every: 200ms, jitter: 50ms, timeout: 1s${extra} }`;

const stopPosted = (resource: string) => (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith(`/deployments/${resource}/stop`);

async function idleOf(daemon: Daemon, target: string): Promise<IdleState | undefined> {
  return (await daemon.store.idleFor([target])).get(target);
}

/** Resolves with the target's idle record once `check` holds for it. */
async function untilIdle(daemon: Daemon, target: string, check: (state: IdleState) => boolean, timeout = 20_000): Promise<IdleState> {
  return vi.waitFor(
    async () => {
      const state = await idleOf(daemon, target);
      if (!state || !check(state)) throw new Error(`idle record of ${target} not there yet: ${JSON.stringify(state)}`);
      return state;
    },
    { timeout, interval: 25 },
  );
}

async function auditOf(daemon: Daemon, target: string) {
  return (await daemon.store.recentAudit(500)).filter((event) => event.target === target).reverse();
}

async function metricValue(daemon: Daemon, name: string, labels: Record<string, string>): Promise<number> {
  const metric = daemon.registry.getSingleMetric(name);
  const series = (await metric!.get()).values.filter((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value));
  return series.reduce((sum, v) => sum + v.value, 0);
}

describe.skipIf(missing)(`idle policies against a real Prometheus${missing ? ` (SKIPPED: ${PROMETHEUS} is missing; apt-get install prometheus, or run .ci/run)` : ''}`, () => {
  it('stops only after the signal read idle for the whole `for`, with the reason, and stays stopped when it turns busy', async () => {
    exporter.values.set('a', 5);
    const sim = await harness.emqxSimulator({ 'dep-a': 'running' });
    const daemon = await daemonFor(sim, '  on: always', policy('quiet', 'a'), '  - { name: a, provider: emqx, resource: dep-a, schedule: on, idle: quiet }');
    await untilIdle(daemon, 'a', (state) => state.last?.verdict === 'active' && state.runningSince !== null);

    const idleFrom = Date.now();
    exporter.values.set('a', 0);
    const stop = await sim.waitForRequest(stopPosted('dep-a'));
    expect(Date.parse(stop.at) - idleFrom).toBeGreaterThanOrEqual(FOR_MS);
    await sim.waitForState('dep-a', 'stopped');

    const events = await auditOf(daemon, 'a');
    const idleStop = events.find((event) => event.event === 'idle-stop');
    expect(idleStop?.reason).toMatch(/^idle \d+(\.\d)?s \(value 0 <= 0 for 2s\)$/);
    expect(events.find((event) => event.event === 'accepted')).toMatchObject({ action: 'stop', reason: idleStop?.reason });
    expect(await metricValue(daemon, 'offhours_idle_stops_total', { target: 'a' })).toBe(1);

    // hysteresis: busy again, but the schedule (always) has no next start and wakeOn is `schedule`
    const busyFrom = new Date().toISOString();
    exporter.values.set('a', 3);
    await untilIdle(daemon, 'a', (state) => state.last?.verdict === 'active' && state.last.at > busyFrom);
    await untilIdle(daemon, 'a', (state) => state.last !== null && Date.parse(state.last.at) - Date.parse(busyFrom) > 2 * FOR_MS);
    expect(emqxPosts(sim, 'start', 'dep-a')).toEqual([]);
    expect(sim.stateOf('dep-a')).toBe('stopped');
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
  }, 60_000);

  it('never stops on scrape gaps or query errors: unknown readings count as active and restart the idle run', async () => {
    exporter.values.set('g', 5);
    const sim = await harness.emqxSimulator({ 'dep-g': 'running', 'dep-q': 'running' });
    const daemon = await daemonFor(
      sim,
      '  on: always',
      [policy('gaps', 'g'), `  broken: { type: prometheus, url: "PROM", query: 'sum(${query('g')}', threshold: 0, for: ${FOR_MS}ms, every: 200ms, jitter: 50ms }`].join('\n'),
      ['  - { name: g, provider: emqx, resource: dep-g, schedule: on, idle: gaps }', '  - { name: q, provider: emqx, resource: dep-q, schedule: on, idle: broken }'].join('\n'),
    );
    await untilIdle(daemon, 'g', (state) => state.last?.verdict === 'active' && state.runningSince !== null);

    // idle for a moment, then the exporter goes away (scrapes fail, Prometheus marks the series stale)
    exporter.values.set('g', 0);
    const idle = await untilIdle(daemon, 'g', (state) => state.idleSince !== null);
    exporter.down = true;
    const unknownFrom = await untilIdle(daemon, 'g', (state) => state.last?.verdict === 'unknown');
    expect(Date.parse(unknownFrom.last!.at) - Date.parse(idle.idleSince!)).toBeLessThan(FOR_MS);
    expect(unknownFrom.last).toMatchObject({ failure: 'empty', detail: 'the query returned no series' });
    // unknown for twice `for`: nothing is stopped
    await untilIdle(daemon, 'g', (state) => state.last?.verdict === 'unknown' && Date.parse(state.last.at) - Date.parse(unknownFrom.last!.at) > 2 * FOR_MS);
    expect(emqxPosts(sim, 'stop', 'dep-g')).toEqual([]);

    // back, still idle: the run starts again from the first reading after the gap
    const upFrom = Date.now();
    exporter.down = false;
    const stop = await sim.waitForRequest(stopPosted('dep-g'));
    expect(Date.parse(stop.at) - upFrom).toBeGreaterThanOrEqual(FOR_MS);

    // the broken query was read all along, counted, and stopped nothing
    expect(await idleOf(daemon, 'q')).toMatchObject({ idleSince: null, decision: null, last: { verdict: 'unknown', failure: 'query-error' } });
    expect((await idleOf(daemon, 'q'))!.last!.detail).toMatch(/^query error \(bad_data\): .*parse error/);
    expect(emqxPosts(sim, 'stop', 'dep-q')).toEqual([]);
    expect(await metricValue(daemon, 'offhours_idle_signal_failures_total', { policy: 'broken', reason: 'query-error' })).toBeGreaterThan(10);
    expect(await metricValue(daemon, 'offhours_idle_signal_failures_total', { policy: 'gaps', reason: 'empty' })).toBeGreaterThan(0);
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
  }, 60_000);

  it('holds an idle stop while the start budget is spent, so the target could always be started again', async () => {
    exporter.values.set('s', 0);
    const sim = await harness.emqxSimulator({ 'dep-s': 'stopped' });
    const daemon = await daemonFor(sim, '  on: always', policy('quiet', 's'), '  - { name: s, provider: emqx, resource: dep-s, schedule: on, idle: quiet }');
    const start = await sim.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/deployments/dep-s/start'));
    const stop = await sim.waitForRequest(stopPosted('dep-s'));
    // idle from the first reading while running (~ `for` after the start), but the one start of the
    // window was spent bringing it up: the stop waits until another start would be possible
    expect(Date.parse(stop.at) - Date.parse(start.at)).toBeGreaterThanOrEqual(EMQX_WINDOW_MS);
    const blocked = (await auditOf(daemon, 's')).filter((event) => event.event === 'idle-stop-blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.reason).toMatch(/^idle stop blocked: the start budget is spent until .* \(1 start per 3s\)/);
    expect(await metricValue(daemon, 'offhours_idle_stops_blocked_total', { target: 's', reason: 'start-budget' })).toBe(1);
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
  }, 60_000);

  it('never idle-stops within one start window of the next scheduled start, which then starts on time', async () => {
    exporter.values.set('n', 0);
    const sim = await harness.emqxSimulator({ 'dep-n': 'running' });
    // running 9 s of every 10; an idle stop is due 7 s into each window, inside the last start window before the next start
    const daemon = await daemonFor(
      sim,
      '  tight: { cron: { start: "*/10 * * * * *", stop: "9,19,29,39,49,59 * * * * *" } }',
      `  slow: { type: prometheus, url: "PROM", query: '${query('n')}', threshold: 0, for: 7s, every: 200ms, jitter: 50ms }`,
      '  - { name: n, provider: emqx, resource: dep-n, schedule: tight, idle: slow }',
    );
    const blockedAt = await vi.waitFor(
      async () => {
        const blocked = (await auditOf(daemon, 'n')).find((event) => event.event === 'idle-stop-blocked');
        if (!blocked) throw new Error('no blocked idle stop yet');
        return blocked;
      },
      { timeout: 40_000, interval: 50 },
    );
    expect(blockedAt.reason).toMatch(/^idle stop blocked: the next scheduled start at .* is within one start window \(1 start per 3s\)$/);
    // the schedule stops it at the window's end and starts it at the next edge, on time
    const start = await sim.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/deployments/dep-n/start') && r.at > blockedAt.at);
    expect(Date.parse(start.at) % 10_000).toBeLessThan(2_000);
    expect((await auditOf(daemon, 'n')).filter((event) => event.event === 'idle-stop')).toEqual([]);
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
  }, 60_000);

  it('with wakeOn: active, starts a target stopped for idleness again when the signal turns busy', async () => {
    exporter.values.set('w', 0);
    const sim = await harness.emqxSimulator({ 'dep-w': 'running' });
    const daemon = await daemonFor(sim, '  on: always', policy('waking', 'w', ', wakeOn: active'), '  - { name: w, provider: emqx, resource: dep-w, schedule: on, idle: waking }');
    await sim.waitForRequest(stopPosted('dep-w'));
    await sim.waitForState('dep-w', 'stopped');
    exporter.values.set('w', 2);
    await sim.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/deployments/dep-w/start'));
    await sim.waitForState('dep-w', 'running');
    expect((await auditOf(daemon, 'w')).find((event) => event.event === 'idle-wake')?.reason).toMatch(/^idle signal active again \(value 2 > 0\) after /);
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
  }, 60_000);
});
