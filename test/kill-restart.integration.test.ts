// `offhours run` as a real process, killed with SIGKILL in the middle of its work and started again: the
// transition in flight is finished without being sent twice, and one missed while it was down is applied
// exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { useDaemonHarness } from './support/daemon-harness.ts';
import { emqxDaemonYaml } from './support/emqx-daemon-yaml.ts';
import { emqxPosts } from './support/emqx-posts.ts';

const harness = useDaemonHarness();

function startProcess(config: string): ChildProcess {
  const child = spawn(process.execPath, ['bin/offhours.mjs', 'run', '--config', config, '--port', '0', '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  harness.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('kill -9 and restart', () => {
  it('finishes the start in flight without resending it, then applies a stop missed while down exactly once', async () => {
    const sim = await harness.emqxSimulator({ 'dep-k': 'stopped' });
    const prefix = `t-${randomUUID()}`;
    const dir = mkdtempSync(join(tmpdir(), 'offhours-kill-'));
    const config = join(dir, 'offhours.yaml');
    writeFileSync(config, `${emqxDaemonYaml(sim, prefix)}schedules:\n  on: always\ntargets:\n  - { name: k, provider: emqx, resource: dep-k, schedule: on }\n`);

    // killed right after the provider accepted the start, while the job waits to see it running
    const first = startProcess(config);
    await sim.waitForRequest((r) => r.method === 'POST' && r.path.endsWith('/dep-k/start') && r.status === 201);
    await kill9(first);

    startProcess(config);
    await sim.waitForState('dep-k', 'running');
    const redis = new Redis(inject('redisUrl'));
    harness.defer(async () => void (await redis.quit()));
    await expect.poll(async () => redis.hget(`${prefix}:done`, 'k'), { timeout: 60_000, interval: 100 }).toBe('running@0');
    expect(emqxPosts(sim, 'start', 'dep-k')).toHaveLength(1);

    // killed again; while it is down somebody wants the deployment stopped
    const second = startProcess(config);
    await sim.waitForRequest((r) => r.method === 'GET' && r.path.endsWith('/dep-k'), 2);
    await kill9(second);
    const now = new Date();
    await redis.hset(`${prefix}:overrides`, 'k', JSON.stringify({ state: 'stopped', setAt: now.toISOString(), until: new Date(now.getTime() + 600_000).toISOString() }));

    startProcess(config);
    await sim.waitForState('dep-k', 'stopped');
    await expect.poll(async () => redis.hget(`${prefix}:done`, 'k'), { timeout: 60_000, interval: 100 }).toBe(`stopped@${now.getTime()}`);
    expect(emqxPosts(sim, 'stop', 'dep-k')).toHaveLength(1);
    expect(emqxPosts(sim, 'start', 'dep-k')).toHaveLength(1);
    expect(sim.requests.some((r) => r.limited)).toBe(false);
  }, 150_000);
});
