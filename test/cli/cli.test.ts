import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createTargetStore } from '../../src/queue/target-store.ts';

async function run(argv: string[], options: { env?: Record<string, string>; stdin?: string; untilSignal?: () => Promise<string> } = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    env: options.env ?? {},
    ...(options.stdin !== undefined ? { stdin: Readable.from([options.stdin]) } : {}),
    ...(options.untilSignal ? { untilSignal: options.untilSignal } : {}),
  });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'offhours-cli-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const VALID = `
providers:
  emqx: { type: emqx, credentials: { key: k, secret: "\${EMQX_SECRET}" } }
schedules:
  office: { timezone: Europe/Berlin, running: ["Mon-Fri 08:00-19:00"] }
targets:
  - { name: broker, provider: emqx, resource: d1, schedule: office }
`;

describe('offhours CLI', () => {
  it('--help lists every command and exits 0; no command prints usage and exits 1', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'check', 'plan', 'eval', 'status', 'override', 'simulate', 'demo']) expect(help.out).toContain(`  ${command}`);
    expect((await run([])).code).toBe(1);
  });

  it('every command has --help', async () => {
    for (const command of ['run', 'check', 'plan', 'eval', 'status', 'override', 'simulate', 'demo']) {
      const result = await run([command, '--help']);
      expect(result.code, command).toBe(0);
      expect(result.out).toContain(`usage: offhours ${command}`);
    }
  });

  it('unknown commands and options are user errors (exit 1) that say what to do', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    const option = await run(['check', '--frob']);
    expect(option.code).toBe(1);
    expect(option.err).toContain('offhours check --help');
  });

  it('check: 0 on a valid file, 1 with every problem by path on a broken one, secrets never echoed', async () => {
    const good = await run(['check', '--config', file('good.yaml', VALID)], { env: { EMQX_SECRET: 's3cr3t-value' } });
    expect(good.code).toBe(0);
    expect(good.out).toContain('ok');

    const broken = file(
      'broken.yaml',
      VALID.replace('"Mon-Fri 08:00-19:00"', '"Mon-Fri 8-19"').replace('schedule: office', 'schedule: ofice').replace('timezone: Europe/Berlin', 'timezone: Europe/Berln'),
    );
    const bad = await run(['check', '--config', broken], { env: {} });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('EMQX_SECRET');
    expect(bad.err).toContain('targets[0].schedule');
    expect(bad.err).toContain('did you mean "office"');
    expect(bad.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('check: a YAML syntax error names the line', async () => {
    const result = await run(['check', '--config', file('syntax.yaml', 'targets:\n  - name: [unclosed\n')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/YAML syntax error: .*\(line \d+, column \d+\)/);
  });

  it('check: a missing file is a user error naming the file', async () => {
    const result = await run(['check', '--config', join(dir, 'nope.yaml')]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('nope.yaml');
  });

  it('eval --json prints the state of one schedule at one instant', async () => {
    const spec = JSON.stringify({ running: ['Mon-Fri 08:00-19:00'], timezone: 'Europe/Berlin' });
    const inside = await run(['eval', '--schedule', spec, '--at', '2026-11-23T12:00:00Z', '--json']);
    expect(inside.code).toBe(0);
    expect(JSON.parse(inside.out)).toMatchObject({ state: 'running' });
    const outside = await run(['eval', '--schedule', spec, '--at', '2026-11-23T18:30:00Z', '--json']);
    expect(JSON.parse(outside.out)).toMatchObject({ state: 'stopped' });
  });

  it('eval accepts YAML flow and cron pairs, and rejects a bad pattern with its path', async () => {
    const cron = await run(['eval', '--schedule', '{cron: {start: "0 8 * * 1-5", stop: "0 19 * * 1-5"}, timezone: UTC}', '--at', '2026-11-23T09:00:00Z', '--json']);
    expect(JSON.parse(cron.out)).toMatchObject({ state: 'running' });
    const bad = await run(['eval', '--schedule', '{cron: {start: "0 8 * *", stop: "0 19 * * 1-5"}}', '--at', '2026-11-23T09:00:00Z']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('cron');
  });

  it('eval takes kube-downscaler constants in any case, as GoKubeDownscaler does', async () => {
    for (const [spec, state] of [['Never', 'stopped'], ['True', 'running'], ['FALSE', 'stopped'], ['Always', 'running']]) {
      const result = await run(['eval', '--schedule', spec!, '--at', '2026-11-23T10:00:00Z', '--json']);
      expect(result.code, spec).toBe(0);
      expect(JSON.parse(result.out).state, spec).toBe(state);
    }
  });

  it('eval --stdin answers one JSON line per input line', async () => {
    const lines = [
      { schedule: 'always', at: '2026-11-23T00:00:00Z' },
      { schedule: { running: ['Sat-Sun 00:00-24:00'] }, at: '2026-11-23T12:00:00Z' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const result = await run(['eval', '--stdin', '--json'], { stdin: lines + '\n' });
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n').map((line) => JSON.parse(line).state)).toEqual(['running', 'stopped']);
  });

  it('eval rejects an instant that is not ISO', async () => {
    const result = await run(['eval', '--schedule', 'always', '--at', 'tomorrow']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('--at');
  });

  it('plan lists upcoming transitions with their reasons, and EMQX deferrals', async () => {
    const flappy = file(
      'flappy.yaml',
      VALID.replace('office: { timezone: Europe/Berlin, running: ["Mon-Fri 08:00-19:00"] }', 'office: { running: ["Mon-Fri 08:00-08:20", "Mon-Fri 08:40-19:00"] }'),
    );
    const result = await run(['plan', '--config', flappy, '--from', '2026-11-23T00:00:00Z', '--days', '1', '--json'], { env: { EMQX_SECRET: 'x' } });
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.out) as { action: string; outcome: string; at: string; runsAt: string }[];
    expect(plan.map((p) => p.action)).toEqual(['start', 'stop', 'start', 'stop']);
    // the second start, 40 minutes after the first, waits for EMQX's hour
    expect(plan[2]).toMatchObject({ outcome: 'deferred' });
    expect(new Date(plan[2]!.runsAt).getTime()).toBeGreaterThanOrEqual(new Date('2026-11-23T09:00:00Z').getTime());
  });

  it('plan --days rejects nonsense', async () => {
    const result = await run(['plan', '--config', file('p.yaml', VALID), '--days', 'lots'], { env: { EMQX_SECRET: 'x' } });
    expect(result.code).toBe(1);
    expect(result.err).toContain('--days');
  });

  it('simulate rejects an unknown provider and names the known ones', async () => {
    const result = await run(['simulate', 'nimbus']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('emqx');
  });
});

describe('offhours check and plan: limits, overrides and `any`', () => {
  const flappy = VALID.replace('office: { timezone: Europe/Berlin, running: ["Mon-Fri 08:00-19:00"] }', 'office: { running: ["Mon-Fri 08:00-08:20", "Mon-Fri 08:40-19:00"] }');

  it('check warns (exit 0) when a schedule flips faster than its provider allows', async () => {
    const result = await run(['check', '--config', file('flappy-check.yaml', flappy)], { env: { EMQX_SECRET: 'x' } });
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/warning: schedule "office" flips faster than provider "emqx" can follow: of \d+ transitions in the 7 days from .*, \d+ would wait for a limit window \(up to 21m\)/);
    expect(result.err).toContain('emqx allows 1 start per 1h, 1 stop per 1h per resource');
    const calm = await run(['check', '--config', file('calm-check.yaml', VALID)], { env: { EMQX_SECRET: 'x' } });
    expect(calm.err).toBe('');
  });

  it('plan shows active overrides with who and why, and what they hold', async () => {
    const prefix = `cli-${randomUUID()}`;
    const config = file('plan-override.yaml', `redis: { url: "${inject('redisUrl')}", prefix: ${prefix} }\n${VALID}`);
    const redis = new Redis(inject('redisUrl'));
    try {
      await createTargetStore(redis, prefix).setOverride('broker', { state: 'stopped', until: '2026-11-23T12:00:00.000Z', setAt: '2026-11-23T06:00:00.000Z', by: 'ana', reason: 'migration' });
    } finally {
      await redis.quit();
    }
    const result = await run(['plan', '--config', config, '--from', '2026-11-23T00:00:00Z', '--days', '1'], { env: { EMQX_SECRET: 'x' } });
    expect(result.code).toBe(0);
    expect(result.out).toContain('override: broker stopped until 2026-11-23T12:00:00.000Z by ana: migration');
    expect(result.out).toContain('2026-11-23T07:00:00.000Z  broker  start  [overridden]  schedule office: Mon-Fri 08:00-19:00 began (override stopped until 2026-11-23T12:00:00.000Z by ana: migration holds it: nothing is sent)');
    expect(result.out).toContain('2026-11-23T12:00:00.000Z  broker  start  [on-time]  override stopped until 2026-11-23T12:00:00.000Z by ana: migration ends; schedule office: within Mon-Fri 08:00-19:00');
  });

  it('plan says so and plans from the schedules alone when Redis is away', async () => {
    const config = file('plan-no-redis.yaml', `redis: { url: "redis://127.0.0.1:1" }\n${VALID}`);
    const result = await run(['plan', '--config', config, '--from', '2026-11-23T00:00:00Z', '--days', '1', '--json'], { env: { EMQX_SECRET: 'x' } });
    expect(result.code).toBe(0);
    expect(result.err).toMatch(/^overrides: not read \(\[redis\] cannot reach redis:\/\/127\.0\.0\.1:1.*\); planned from the schedules alone\n$/);
    expect((JSON.parse(result.out) as { action: string }[]).map((item) => item.action)).toEqual(['start', 'stop']);
  });

  it('plan shows a schedule that leaves a target alone as nothing to do', async () => {
    const config = file('plan-any.yaml', `redis: { url: "redis://127.0.0.1:1" }\n${VALID.replace('schedule: office', 'schedule: { periods: [{ begintime: "09:00", weekdays: mon-fri }] }')}`);
    const result = await run(['plan', '--config', config, '--from', '2026-11-22T12:00:00Z', '--days', '1'], { env: { EMQX_SECRET: 'x' } });
    expect(result.out).toContain('2026-11-23T00:00:00.000Z  broker  leave alone  [nothing-to-do]  schedule broker/inline: period from 09:00 weekdays mon-fri has only a begin time');
    expect(result.out).toContain('2026-11-23T09:00:00.000Z  broker  start  [on-time]  schedule broker/inline: period from 09:00 weekdays mon-fri began');
  });
});
