// An idle stop through the whole daemon with an HTTP probe: it survives a restart without being undone,
// and an override ends it. Real Redis, the EMQX simulator (hour scaled to 3 s), a loopback probe.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { describe, expect, inject, it, vi } from 'vitest';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';
import { QUEUE_NAME } from '../../src/queue/action-queue.ts';
import { loadTestConfig, useDaemonHarness } from '../support/daemon-harness.ts';
import { emqxDaemonYaml } from '../support/emqx-daemon-yaml.ts';
import { emqxPosts } from '../support/emqx-posts.ts';
import { cannedServer } from './canned-server.ts';

const harness = useDaemonHarness();

/** The probe answers 204 (idle) or 200 (busy). */
async function probe() {
  const state = { idle: true };
  const server = await cannedServer((_request, response) => void response.writeHead(state.idle ? 204 : 200).end());
  harness.defer(() => server.close());
  return { state, url: server.url };
}

async function setup() {
  const sim = await harness.emqxSimulator({ 'dep-p': 'running' });
  const signal = await probe();
  const prefix = `t-${randomUUID()}`;
  const yaml = `${emqxDaemonYaml(sim, prefix, { steady: '500ms' })}idlePolicies:
  probe: { type: http, url: "${signal.url}/idle", idleStatus: [204], for: 1s, every: 100ms, jitter: 20ms }
targets:
  - { name: p, provider: emqx, resource: dep-p, schedule: always, idle: probe }
`;
  const loaded = loadTestConfig(yaml, 'idle-daemon.yaml');
  const start = () => harness.daemon(loaded);
  return { sim, signal, prefix, start };
}

const actions = (sim: SimulatorServer, action: 'start' | 'stop') => emqxPosts(sim, action, 'dep-p');

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
    harness.defer(() => queue.close());
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
