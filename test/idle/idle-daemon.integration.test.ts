// An idle stop through the whole daemon with an HTTP probe: it survives a restart without being undone,
// and an override ends it. Real Redis, the EMQX simulator (hour scaled to 3 s), a loopback probe.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import pino from 'pino';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.ts';
import { startDaemon, type Daemon } from '../../src/main.ts';
import { createEmqxSimulator } from '../../src/providers/emqx/emqx-simulator.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';
import { QUEUE_NAME } from '../../src/queue/action-queue.ts';
import { cannedServer } from './canned-server.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** The probe answers 204 (idle) or 200 (busy). */
async function probe() {
  const state = { idle: true };
  const server = await cannedServer((_request, response) => void response.writeHead(state.idle ? 204 : 200).end());
  cleanup.push(() => server.close());
  return { state, url: server.url };
}

async function setup() {
  const sim: SimulatorServer = createEmqxSimulator({ timeScale: 1200, transitionMs: 60_000, resources: { 'dep-p': 'running' } });
  await sim.start();
  cleanup.push(() => sim.close());
  const signal = await probe();
  const prefix = `t-${randomUUID()}`;
  const yaml = `
redis: { url: "${inject('redisUrl')}", prefix: "${prefix}" }
providers:
  emqx:
    type: emqx
    baseUrl: "${sim.url}"
    credentials: { key: demo-key, secret: demo-secret }
    limits: { start: { max: 1, per: 3s }, stop: { max: 1, per: 3s }, status: { max: 60, per: 3s } }
    poll: { steady: 500ms, verify: 200ms, timeout: 30s }
idlePolicies:
  probe: { type: http, url: "${signal.url}/idle", idleStatus: [204], for: 1s, every: 100ms, jitter: 20ms }
targets:
  - { name: p, provider: emqx, resource: dep-p, schedule: always, idle: probe }
`;
  const loaded = loadConfigText(yaml, { file: 'idle-daemon.yaml', env: {}, definitions: providerDefinitions });
  const start = async (): Promise<Daemon> => {
    const daemon = await startDaemon({ loaded, logger: pino({ level: 'silent' }), http: false, overrideRefreshMs: 100 });
    const stop = daemon.stop;
    let stopped = false;
    cleanup.push(async () => {
      if (!stopped) await stop();
    });
    return Object.assign(daemon, {
      stop: async () => {
        stopped = true;
        await stop();
      },
    });
  };
  return { sim, signal, prefix, start };
}

const actions = (sim: SimulatorServer, action: 'start' | 'stop') => sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/deployments/dep-p/${action}`));

describe('idle stops through the daemon', () => {
  it('an idle stop survives a restart: nothing is started again and no work is left queued', async () => {
    const { sim, signal, prefix, start } = await setup();
    const first = await start();
    await sim.waitForState('dep-p', 'stopped');
    await vi.waitFor(async () => expect((await first.store.doneFor(['p'])).get('p')).toMatch(/^stopped@/), { timeout: 10_000, interval: 50 });
    signal.state.idle = false; // busy now, but wakeOn is `schedule` and `always` has no next start
    await first.stop();

    const second = await start();
    const queue = new Queue(QUEUE_NAME, { connection: { url: inject('redisUrl') }, prefix });
    cleanup.push(() => queue.close());
    // the restarted daemon read the probe (busy) and observed the deployment, and left it stopped
    const restartedAt = new Date().toISOString();
    await vi.waitFor(
      async () => {
        const idle = (await second.store.idleFor(['p'])).get('p');
        expect(idle?.last).toMatchObject({ verdict: 'active' });
        expect(idle!.last!.at > restartedAt).toBe(true);
        expect((await second.store.allObserved()).get('p')?.at! > restartedAt).toBe(true);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect((await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter((job) => job.name === 'ensure')).toEqual([]);
    expect(actions(sim, 'start')).toEqual([]);
    expect(actions(sim, 'stop')).toHaveLength(1);
  }, 60_000);

  it('an override ends an idle stop; once it is cleared the target follows its schedule again', async () => {
    const { sim, signal, start } = await setup();
    const daemon = await start();
    await sim.waitForState('dep-p', 'stopped');
    signal.state.idle = false;
    const now = new Date();
    await daemon.store.setOverride('p', { state: 'running', setAt: now.toISOString(), until: new Date(now.getTime() + 600_000).toISOString(), by: 'ana' });
    await sim.waitForState('dep-p', 'running');
    await daemon.store.clearOverride('p');
    // busy: no new idle run; the schedule (always) decides again and keeps it running, sending nothing more
    await vi.waitFor(async () => expect((await daemon.store.doneFor(['p'])).get('p')).toBe('running@0'), { timeout: 10_000, interval: 50 });
    const cleared = new Date().toISOString();
    await vi.waitFor(async () => expect((await daemon.store.idleFor(['p'])).get('p')?.last?.at! > cleared).toBe(true), { timeout: 10_000, interval: 50 });
    expect((await daemon.store.idleFor(['p'])).get('p')?.decision).toBeNull();
    expect(actions(sim, 'stop')).toHaveLength(1);
    expect(actions(sim, 'start')).toHaveLength(1);
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
  }, 60_000);
});
