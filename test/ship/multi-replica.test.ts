// Several replicas, one Redis: two daemons on the same config and prefix against one EMQX simulator (its
// hour scaled to 3 s). Every start and stop is sent once, and no limit is exceeded.
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Daemon } from '../../src/main.ts';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';
import { EMQX_WINDOW_MS, loadTestConfig, useDaemonHarness } from '../support/daemon-harness.ts';
import { emqxDaemonYaml } from '../support/emqx-daemon-yaml.ts';
import { emqxPosts } from '../support/emqx-posts.ts';

const RESOURCES = ['dep-1', 'dep-2', 'dep-3', 'dep-4', 'dep-5', 'dep-6'];

const harness = useDaemonHarness();

function configYaml(sim: SimulatorServer, prefix: string): string {
  return `${emqxDaemonYaml(sim, prefix)}schedules:
  on: always
targets:
${RESOURCES.map((resource) => `  - { name: t-${resource}, provider: emqx, resource: ${resource}, schedule: on }`).join('\n')}
`;
}

async function replicas(yaml: string, count: number): Promise<Daemon[] & { stopAll(): Promise<void> }> {
  const loaded = loadTestConfig(yaml, 'replicas.yaml');
  const daemons = await Promise.all(Array.from({ length: count }, () => harness.daemon(loaded)));
  return Object.assign(daemons, {
    stopAll: async () => {
      await Promise.all(daemons.map((daemon) => daemon.stop()));
    },
  });
}

async function accepted(daemons: Daemon[]): Promise<number> {
  let total = 0;
  for (const daemon of daemons) {
    const { values } = await daemon.registry.getSingleMetric('offhours_transitions_total')!.get();
    total += values.filter((series) => series.labels.result === 'accepted').reduce((sum, series) => sum + series.value, 0);
  }
  return total;
}

describe('two replicas sharing one Redis', () => {
  it('send each start and stop once, inside the limits, while the desired state flips', async () => {
    const sim = await harness.emqxSimulator(Object.fromEntries(RESOURCES.map((r) => [r, 'stopped'])));
    const daemons = await replicas(configYaml(sim, `t-${randomUUID()}`), 2);
    const [a, b] = [daemons[0]!, daemons[1]!];

    const names = RESOURCES.map((resource) => `t-${resource}`);
    /** every target reached `state` and a replica recorded the decision (desired@since) as carried out */
    const settled = async (state: 'running' | 'stopped', done: string) => {
      await Promise.all(RESOURCES.map((resource) => sim.waitForState(resource, state)));
      await vi.waitFor(async () => expect([...(await b.store.doneFor(names)).values()]).toEqual(names.map(() => done)), { timeout: 30_000, interval: 50 });
    };
    // Stopped by an override set through one replica, cleared through the other, then stopped again: the
    // second start and stop of each deployment must wait for its 3 s window, whichever replica carries them.
    const override = async (state: 'stopped' | null): Promise<string> => {
      const now = new Date();
      for (const name of names) {
        if (state === null) await b.store.clearOverride(name);
        else await a.store.setOverride(name, { state, setAt: now.toISOString(), until: new Date(now.getTime() + 600_000).toISOString() });
      }
      return state === null ? 'running@0' : `stopped@${now.getTime()}`;
    };

    await settled('running', 'running@0'); // both replicas see every target wanted running at once
    await settled('stopped', await override('stopped'));
    await settled('running', await override(null));
    await settled('stopped', await override('stopped'));
    await daemons.stopAll(); // running jobs finish first: nothing is sent after this

    expect(sim.requests.filter((r) => r.limited || r.status === 429)).toEqual([]);
    for (const resource of RESOURCES) {
      expect(emqxPosts(sim, 'start', resource).map((r) => r.status), resource).toEqual([201, 201]);
      expect(emqxPosts(sim, 'stop', resource).map((r) => r.status), resource).toEqual([201, 201]);
      for (const action of ['start', 'stop'] as const) {
        const [first, second] = emqxPosts(sim, action, resource).map((r) => new Date(r.at).getTime());
        expect(second! - first!, `${resource} ${action}`).toBeGreaterThanOrEqual(EMQX_WINDOW_MS);
      }
    }
    // The replicas' counters add up to exactly what the provider received.
    expect(await accepted(daemons)).toBe(RESOURCES.length * 4);
  }, 90_000);
});
