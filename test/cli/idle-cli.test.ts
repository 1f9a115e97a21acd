// `status` and `plan` show what an idle policy is doing: the last reading, the time until an idle stop,
// and the idle stops a provider's start limit blocks.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { planCommand } from '../../src/cli/plan-command.ts';
import { statusCommand } from '../../src/cli/status-command.ts';
import { compareWithThreshold } from '../../src/idle/idle-reading.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';

const redis = new Redis(inject('redisUrl'));
afterAll(async () => {
  await redis.quit();
});

const NOW = new Date('2026-11-23T09:12:00Z'); // a Monday
const config = (prefix: string) => `
redis: { url: "${inject('redisUrl')}", prefix: "${prefix}" }
providers:
  emqx: { type: emqx, credentials: { key: k, secret: s } }
schedules:
  split: { timezone: UTC, running: ["Mon-Fri 08:00-12:00", "Mon-Fri 12:30-19:00"] }
idlePolicies:
  quiet: { type: prometheus, url: "http://prom:9090", query: up, threshold: 0, for: 30m }
targets:
  - { name: broker, provider: emqx, resource: d1, schedule: split, idle: quiet }
`;

async function run(command: typeof statusCommand, args: string[], prefix: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'offhours-idle-')), 'offhours.yaml');
  writeFileSync(file, config(prefix));
  let out = '';
  const code = await command(['--config', file, ...args], { out: (text) => void (out += text), err: () => {}, env: {} }, NOW);
  return { code, out };
}

async function idleRun(prefix: string) {
  const store = createTargetStore(redis, prefix);
  await store.setIdleClock('broker', {
    idleSince: '2026-11-23T09:00:00.000Z',
    runningSince: '2026-11-23T08:01:00.000Z',
    last: compareWithThreshold(NOW, 0, 0),
    blocked: null,
    native: null,
  });
}

describe('idle policies in the CLI', () => {
  it('status shows the idle run, its last reading and the time until the idle stop', async () => {
    const prefix = `t-${randomUUID()}`;
    await idleRun(prefix);
    const { code, out } = await run(statusCommand, [], prefix);
    expect(code).toBe(0);
    expect(out).toContain('  idle      quiet: idle for 12m (value 0 <= 0; stops after 30m idle): idle stop at 2026-11-23T09:30:00.000Z if it stays idle (in 18m)\n');
    expect(out).toContain('            last reading idle at 2026-11-23T09:12:00.000Z: value 0 <= 0\n');
    const json = JSON.parse((await run(statusCommand, ['--json'], prefix)).out);
    expect(json.targets[0].idle).toMatchObject({ policy: 'quiet', phase: 'idle', stopAt: '2026-11-23T09:30:00.000Z', stopIn: '18m' });
  });

  it('plan lists the idle stops the start limit blocks and where the current run leads', async () => {
    const prefix = `t-${randomUUID()}`;
    await idleRun(prefix);
    const { code, out } = await run(planCommand, ['--days', '1', '--json'], prefix);
    expect(code).toBe(0);
    const idle = (JSON.parse(out) as { at: string; outcome: string; reason: string; runsAt: string | null }[]).filter((entry) => entry.outcome.startsWith('idle-'));
    expect(idle.map((entry) => [entry.at, entry.outcome])).toEqual([
      ['2026-11-23T09:30:00.000Z', 'idle-projected'],
      ['2026-11-23T11:29:55.000Z', 'idle-blocked'],
      ['2026-11-23T13:00:00.000Z', 'idle-blocked'],
      ['2026-11-24T08:30:00.000Z', 'idle-blocked'],
    ]);
    expect(idle[1]!.reason).toBe('idle stops blocked until 2026-11-23T12:00:00.000Z: the next scheduled start at 2026-11-23T12:30:00.000Z is within one start window (1 start per 1h)');
    const text = (await run(planCommand, ['--days', '1'], prefix)).out;
    expect(text).toContain('2026-11-23T09:30:00.000Z  broker  stop  [idle-projected]  idle since 2026-11-23T09:00:00.000Z (value <= 0): idle stop after 30m if it stays idle\n');
  });
});
