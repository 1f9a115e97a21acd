// `offhours status` shows what keeping targets stopped has saved, per target and in total.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { statusCommand } from '../../src/cli/status-command.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';

const redis = new Redis(inject('redisUrl'));
afterAll(async () => {
  await redis.quit();
});

async function status(args: string[], configText: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'offhours-status-')), 'offhours.yaml');
  writeFileSync(file, configText);
  let out = '';
  const code = await statusCommand(['--config', file, ...args], { out: (text) => void (out += text), err: () => {}, env: {} }, new Date('2026-11-23T22:00:00Z'));
  return { code, out };
}

describe('offhours status', () => {
  it('prints stopped hours and money saved per target and the total', async () => {
    const prefix = `t-${randomUUID()}`;
    const store = createTargetStore(redis, prefix);
    for (const [name, cost] of [['broker', 2], ['db', undefined]] as const) {
      await store.accrueStopped(name, { state: 'stopped', at: new Date('2026-11-23T19:00:00Z') }, cost);
      await store.accrueStopped(name, { state: 'stopped', at: new Date('2026-11-23T21:30:00Z') }, cost);
    }
    const config = `
redis: { url: "${inject('redisUrl')}", prefix: "${prefix}" }
providers:
  emqx: { type: emqx, credentials: { key: k, secret: s } }
targets:
  - { name: broker, provider: emqx, resource: d1, schedule: never, costPerHour: 2 }
  - { name: db, provider: emqx, resource: d2, schedule: never }
`;
    const { code, out } = await status([], config);
    expect(code).toBe(0);
    expect(out).toMatch(/^broker {2}\[emqx\/d1\]\n(?: {2}(?!savings).*\n)* {2}savings {3}2\.5 h stopped, 5\.00 saved at 2\/h\n/m);
    expect(out).toContain('  savings   2.5 h stopped (no costPerHour set)\n');
    expect(out).toContain('total savings: 5.0 h stopped, 5.00 saved\n');

    const json = JSON.parse((await status(['--json', '--target', 'broker'], config)).out);
    expect(json.targets[0].savings).toEqual({ stoppedHours: 2.5, costPerHour: 2, saved: 5 });
  });
});
