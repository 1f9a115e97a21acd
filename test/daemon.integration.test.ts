// The daemon end to end: real Redis, the EMQX simulator with its windows scaled down, the real worker.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect, inject, it, vi } from 'vitest';
import { QUEUE_NAME } from '../src/queue/action-queue.ts';
import type { SimulatorServer } from '../src/providers/simulator-kit.ts';
import { EMQX_WINDOW_MS, loadTestConfig, useDaemonHarness } from './support/daemon-harness.ts';
import { emqxDaemonYaml } from './support/emqx-daemon-yaml.ts';
import { emqxPosts } from './support/emqx-posts.ts';

const harness = useDaemonHarness();

const configYaml = (sim: SimulatorServer, prefix: string, schedules: string, targets: string) => `${emqxDaemonYaml(sim, prefix)}schedules:
${schedules}
targets:
${targets}
`;

const daemonFor = (yaml: string) => harness.daemon(loadTestConfig(yaml));

describe('daemon against the EMQX simulator', () => {
  it('starts a stopped deployment its schedule wants running, once, and sees it running', async () => {
    const sim = await harness.emqxSimulator({ 'dep-a': 'stopped' });
    await daemonFor(configYaml(sim, `t-${randomUUID()}`, '  on: always', '  - { name: a, provider: emqx, resource: dep-a, schedule: on }'));
    await sim.waitForState('dep-a', 'running');
    expect(emqxPosts(sim, 'start', 'dep-a')).toHaveLength(1);
    expect(sim.requests.some((r) => r.limited)).toBe(false);
  });

  it('rides out a provider outage: failed status reads and starts are retried, inside the limits, until one is accepted', async () => {
    const sim = await harness.emqxSimulator({ 'dep-p': 'stopped' });
    sim.injectFault({ kind: 'error', status: 503, match: 'GET /public_api/v1/deployments/dep-p', count: 2 });
    sim.injectFault({ kind: 'error', status: 503, match: 'POST /public_api/v1/deployments/dep-p/start', count: 2 });
    await daemonFor(configYaml(sim, `t-${randomUUID()}`, '  on: always', '  - { name: p, provider: emqx, resource: dep-p, schedule: on }'));
    await sim.waitForState('dep-p', 'running');
    const starts = emqxPosts(sim, 'start', 'dep-p');
    expect(starts.filter((r) => r.status === 201)).toHaveLength(1);
    expect(starts.filter((r) => r.status === 503)).toHaveLength(2);
    expect(sim.requests.some((r) => r.limited)).toBe(false);
  }, 60_000);

  it('follows a schedule that flips every second without ever exceeding a limit', async () => {
    const sim = await harness.emqxSimulator({ 'dep-f': 'running' });
    await daemonFor(
      configYaml(
        sim,
        `t-${randomUUID()}`,
        '  flappy: { cron: { start: "*/2 * * * * *", stop: "1-59/2 * * * * *" } }',
        '  - { name: f, provider: emqx, resource: dep-f, schedule: flappy }',
      ),
    );
    await sim.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/dep-f/start') && r.status === 201, 3);
    expect(sim.requests.filter((r) => r.limited)).toEqual([]);
    for (const action of ['start', 'stop'] as const) {
      const times = emqxPosts(sim, action, 'dep-f').map((r) => new Date(r.at).getTime());
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(EMQX_WINDOW_MS);
    }
  }, 60_000);

  it('drops a deferred stop when the desired state turns back before the window opens', async () => {
    const sim = await harness.emqxSimulator({ 'dep-m': 'running' });
    const daemon = await daemonFor(configYaml(sim, `t-${randomUUID()}`, '  on: always', '  - { name: m, provider: emqx, resource: dep-m, schedule: on }'));
    const override = async (state: 'running' | 'stopped' | null) => {
      if (state === null) return void (await daemon.store.clearOverride('m'));
      const now = new Date();
      await daemon.store.setOverride('m', { state, setAt: now.toISOString(), until: new Date(now.getTime() + 600_000).toISOString() });
    };
    const audited = (event: string) => vi.waitFor(async () => {
      const events = await daemon.store.recentAudit(50);
      expect(events.map((e) => e.event)).toContain(event);
    }, { timeout: 20_000, interval: 50 });

    await override('stopped');
    await sim.waitForState('dep-m', 'stopped');
    await override(null);
    await sim.waitForState('dep-m', 'running');
    await override('stopped'); // a second stop inside the 3 s window: must wait
    await audited('deferred');
    await override(null); // back to running before the window opens
    await audited('superseded');
    expect(emqxPosts(sim, 'stop', 'dep-m')).toHaveLength(1);
    expect(sim.stateOf('dep-m')).toBe('running');
    expect(sim.requests.some((r) => r.limited)).toBe(false);
  }, 60_000);

  it('applies a transition missed while it was down exactly once, and a further restart does nothing', async () => {
    const sim = await harness.emqxSimulator({ 'dep-r': 'running' });
    const prefix = `t-${randomUUID()}`;
    const yaml = configYaml(sim, prefix, '  on: always', '  - { name: r, provider: emqx, resource: dep-r, schedule: on }');
    const first = await daemonFor(yaml);
    await sim.waitForRequest((r) => r.method === 'GET' && r.path.endsWith('/dep-r'));
    await first.stop();

    // while it is down, somebody decides the deployment should be stopped
    const redis = new Redis(inject('redisUrl'));
    harness.defer(async () => void (await redis.quit()));
    const now = new Date();
    await redis.hset(`${prefix}:overrides`, 'r', JSON.stringify({ state: 'stopped', setAt: now.toISOString(), until: new Date(now.getTime() + 600_000).toISOString() }));

    const second = await daemonFor(yaml);
    await sim.waitForState('dep-r', 'stopped');
    await vi.waitFor(async () => expect(await second.store.doneFor(['r'])).toEqual(new Map([['r', `stopped@${now.getTime()}`]])), { timeout: 10_000, interval: 50 });
    await second.stop();

    const third = await daemonFor(yaml);
    const queue = new Queue(QUEUE_NAME, { connection: { url: inject('redisUrl') }, prefix });
    harness.defer(() => queue.close());
    const pending = await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(pending.filter((job) => job.name === 'ensure')).toEqual([]);
    await third.stop();
    expect(emqxPosts(sim, 'stop', 'dep-r')).toHaveLength(1);
  }, 60_000);
});
