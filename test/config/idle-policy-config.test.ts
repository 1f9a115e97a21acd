// idlePolicies in the config: defaults, the rules zod alone cannot express, and where each policy type may be used.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfigText } from '../../src/config/load-config.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';

const ORG = '5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b';
const config = (policies: string, idle = 'quiet') => `
providers:
  emqx: { type: emqx, credentials: { key: k, secret: s } }
  ch: { type: clickhouse, organizationId: ${ORG}, credentials: { keyId: k, keySecret: s } }
idlePolicies:
${policies}
targets:
  - { name: broker, provider: emqx, resource: d1, schedule: always, idle: ${idle} }
`;

const load = (text: string) => loadConfigText(text, { file: 'test.yaml', env: {}, definitions: providerDefinitions });
function problems(text: string): { path: string; message: string }[] {
  try {
    load(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(({ path, message }) => ({ path, message }));
    throw error;
  }
  return [];
}

describe('idlePolicies', () => {
  it('parses every option of a sampled policy, durations in ms', () => {
    const loaded = load(config('  quiet: { type: prometheus, url: "http://prom:9090", query: up, threshold: 0, for: 30m, every: 30s, jitter: 5s, timeout: 3s, wakeOn: active, minRunning: 1h, minStopped: 15m }'));
    expect(loaded.config.idlePolicies.quiet).toEqual({
      type: 'prometheus', url: 'http://prom:9090', query: 'up', threshold: 0,
      for: 1_800_000, every: 30_000, jitter: 5_000, timeout: 3_000, wakeOn: 'active', minRunning: 3_600_000, minStopped: 900_000,
    });
    expect(loaded.targets[0]).toMatchObject({ idle: 'quiet' });
  });

  it('an http policy needs a field with a threshold, or idleStatus', () => {
    expect(load(config('  quiet: { type: http, url: "http://app/stats", field: data.connections, threshold: 0, for: 10m }')).config.idlePolicies.quiet).toMatchObject({ wakeOn: 'schedule' });
    expect(load(config('  quiet: { type: http, url: "http://app/idle", idleStatus: [204], for: 10m }')).config.idlePolicies.quiet).toMatchObject({ idleStatus: [204] });
    expect(problems(config('  quiet: { type: http, url: "http://app/stats", field: data.connections, for: 10m }'))).toEqual([
      { path: 'idlePolicies.quiet.threshold', message: 'threshold is required with field (idle while the field is <= threshold)' },
    ]);
    expect(problems(config('  quiet: { type: http, url: "http://app/stats", for: 10m }'))).toEqual([
      { path: 'idlePolicies.quiet', message: 'an http idle policy needs field and threshold (idle while the JSON field is <= threshold) or idleStatus (the statuses that mean idle)' },
    ]);
  });

  it('jitter stays inside the sampling interval, which is longer than 0', () => {
    expect(problems(config('  quiet: { type: prometheus, url: "http://prom", query: up, threshold: 0, for: 5m, every: 10s, jitter: 10s }'))).toEqual([
      { path: 'idlePolicies.quiet.jitter', message: 'jitter must be shorter than every (the sampling interval, default 1m)' },
    ]);
    expect(problems(config('  quiet: { type: prometheus, url: "http://prom", query: up, threshold: 0, for: 5m, every: 0s }')).map((p) => p.path)).toEqual(['idlePolicies.quiet.every']);
  });

  it('clickhouse-native: at least 5 minutes, and only for ClickHouse targets', () => {
    const native = '  quiet: { type: clickhouse-native, idleTimeoutMinutes: 10 }';
    expect(problems(config(native))).toEqual([
      { path: 'targets[0].idle', message: 'idle policy "quiet" is clickhouse-native: only targets of a clickhouse provider can use it (provider "emqx" is emqx)' },
    ]);
    const onClickhouse = config(native).replace('provider: emqx, resource: d1', 'provider: ch, resource: s1');
    expect(load(onClickhouse).config.idlePolicies.quiet).toEqual({ type: 'clickhouse-native', idleTimeoutMinutes: 10, idleScaling: true });
    expect(problems(config('  quiet: { type: clickhouse-native, idleTimeoutMinutes: 4 }').replace('provider: emqx, resource: d1', 'provider: ch, resource: s1'))).toEqual([
      { path: 'idlePolicies.quiet.idleTimeoutMinutes', message: 'expected a number >= 5' },
    ]);
  });
});
