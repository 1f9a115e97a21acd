import { spawnSync } from 'node:child_process';
import { Registry, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, METRICS_DOC, type Metrics } from '../../src/observability/metrics.ts';

/** One sample on every metric, so every series (and its labels) shows in the exposition. */
function fillSamples(metrics: Metrics): void {
  metrics.transitions.inc({ target: 'db-1', provider: 'cloud', action: 'stop', result: 'accepted' });
  metrics.failures.inc({ provider: 'cloud', reason: 'transient' });
  metrics.providerRequests.inc({ provider: 'cloud', operation: 'status', outcome: 'ok' });
  metrics.providerRequestDuration.observe({ provider: 'cloud', operation: 'start' }, 0.2);
  metrics.rateLimitDeferrals.inc({ provider: 'cloud', operation: 'start' });
  metrics.providerThrottles.inc({ provider: 'cloud', operation: 'status' });
  metrics.setTargetState('desired', 'db-1', 'cloud', 'stopped');
  metrics.setTargetState('observed', 'db-1', 'cloud', 'stopping');
  metrics.actionLag.observe({ provider: 'cloud', action: 'stop' }, 42);
  metrics.deferredActions.set({ provider: 'cloud' }, 2);
  metrics.targetStoppedSeconds.inc({ target: 'db-1', provider: 'cloud' }, 60);
  metrics.estimatedSavings.inc({ target: 'db-1', provider: 'cloud' }, 0.35);
  metrics.ready.set(1);
  metrics.redisUp.set(1);
  metrics.configTargets.set(1);
  metrics.setBuildInfo('0.1.0', 'v24.0.0');
  metrics.scheduleNextTransition.set({ schedule: 'office' }, 1_767_000_000);
  metrics.idleStops.inc({ target: 'db-1', provider: 'cloud' });
  metrics.idleStopsBlocked.inc({ target: 'db-1', reason: 'next-start' });
  metrics.idleSignalFailures.inc({ policy: 'quiet', reason: 'timeout' });
  metrics.idleSignalValue.set({ target: 'db-1' }, 0.25);
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unexpected exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function exposition(): Promise<{ registry: Registry; metrics: Metrics; text: string }> {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  fillSamples(metrics);
  return { registry, metrics, text: await registry.metrics() };
}

function stateOf(samples: readonly Sample[], name: string, target: string): Record<string, number> {
  return Object.fromEntries(samples.filter((s) => s.name === name && s.labels.target === target).map((s) => [s.labels.state!, s.value]));
}

describe('METRICS_DOC', () => {
  it('lists unique offhours_ names, each with a help text', () => {
    const names = METRICS_DOC.map((doc) => doc.name);
    expect(new Set(names).size).toBe(names.length);
    for (const doc of METRICS_DOC) {
      expect(doc.name).toMatch(/^offhours_[a-z_]+$/);
      expect(doc.help.length).toBeGreaterThan(10);
    }
  });

  it('matches the registry exactly: every metric, its type and its labels', async () => {
    const { registry, text } = await exposition();
    const registered = (await registry.getMetricsAsJSON()).map((metric) => metric.name).sort();
    expect(registered).toEqual(METRICS_DOC.map((doc) => doc.name).sort());

    const samples = parseSamples(text);
    for (const doc of METRICS_DOC) {
      expect(text, doc.name).toContain(`# TYPE ${doc.name} ${doc.type}\n`);
      const own = samples.filter((s) => s.name === doc.name || (doc.type === 'histogram' && s.name.startsWith(`${doc.name}_`)));
      expect(own.length, `${doc.name} has samples`).toBeGreaterThan(0);
      for (const sample of own) {
        const labels = Object.keys(sample.labels).filter((label) => label !== 'le');
        expect(labels.sort(), `${sample.name} labels`).toEqual([...doc.labels].sort());
      }
    }
  });
});

describe('createMetrics', () => {
  it('registers on the registry it is given, never on the global one, and can run twice', () => {
    const before = globalRegistry.getMetricsAsArray().length;
    createMetrics(new Registry());
    createMetrics(new Registry());
    expect(globalRegistry.getMetricsAsArray().length).toBe(before);
    expect(globalRegistry.getSingleMetric('offhours_up')).toBeUndefined();
  });

  it('reports up = 1 as soon as it exists', async () => {
    const registry = new Registry();
    createMetrics(registry);
    expect(await registry.metrics()).toContain('\noffhours_up 1\n');
  });

  it('sets state gauges enum-style: 1 on the current state, 0 on every other', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    metrics.setTargetState('observed', 'db-1', 'cloud', 'starting');
    metrics.setTargetState('observed', 'db-1', 'cloud', 'running');
    metrics.setTargetState('desired', 'db-1', 'cloud', 'running');
    const samples = parseSamples(await registry.metrics());
    expect(stateOf(samples, 'offhours_target_observed_state', 'db-1')).toEqual({ running: 1, stopped: 0, starting: 0, stopping: 0, unknown: 0 });
    expect(stateOf(samples, 'offhours_target_desired_state', 'db-1')).toEqual({ running: 1, stopped: 0, any: 0 });
  });

  it('refuses a desired state that is not running or stopped', () => {
    const metrics = createMetrics(new Registry());
    // the type forbids it; this guards callers that pass unchecked strings
    expect(() => metrics.setTargetState('desired', 'db-1', 'cloud', 'starting' as 'running')).toThrow(/\[metrics\] "starting" is not a desired state/);
  });

  it('removeTarget drops every series of that target and nothing else', async () => {
    const { registry, metrics } = await exposition();
    metrics.transitions.inc({ target: 'db-2', provider: 'cloud', action: 'start', result: 'already' });
    metrics.setTargetState('observed', 'db-2', 'cloud', 'running');
    await metrics.removeTarget('db-1');
    const samples = parseSamples(await registry.metrics());
    expect(samples.filter((s) => s.labels.target === 'db-1')).toEqual([]);
    expect(samples.filter((s) => s.labels.target === 'db-2').map((s) => s.name)).toEqual(
      expect.arrayContaining(['offhours_transitions_total', 'offhours_target_observed_state']),
    );
    expect(samples.some((s) => s.name === 'offhours_failures_total')).toBe(true);
  });

  it('removeSchedule drops that schedule next-transition series', async () => {
    const { registry, metrics } = await exposition();
    metrics.scheduleNextTransition.set({ schedule: 'weekend' }, 1_767_100_000);
    await metrics.removeSchedule('office');
    const schedules = parseSamples(await registry.metrics())
      .filter((s) => s.name === 'offhours_schedule_next_transition_timestamp_seconds')
      .map((s) => s.labels.schedule);
    expect(schedules).toEqual(['weekend']);
  });

  it('keeps one build_info series when set again', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    metrics.setBuildInfo('0.1.0', 'v24.0.0');
    metrics.setBuildInfo('0.2.0', 'v24.1.0');
    const info = parseSamples(await registry.metrics()).filter((s) => s.name === 'offhours_build_info');
    expect(info).toEqual([{ name: 'offhours_build_info', labels: { version: '0.2.0', node: 'v24.1.0' }, value: 1 }]);
  });
});

const promtool = spawnSync('promtool', ['--version']);
const promtoolMissing = promtool.error !== undefined;

describe.skipIf(promtoolMissing)(`promtool check metrics${promtoolMissing ? ' (SKIPPED: promtool is not on the PATH)' : ''}`, () => {
  it('finds nothing to complain about in the exposition', async () => {
    const { text } = await exposition();
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: result.status, output: `${result.stdout}${result.stderr}` }).toEqual({ status: 0, output: '' });
  });
});
