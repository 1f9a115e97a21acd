// The config the chart renders into its ConfigMap passes offhours' own validation, for values.yaml and
// every example values file, with the environment the Deployment gives the container.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';
import { CHART, envReferences, mergeValues, readYaml, renderConfig, valuesFiles } from './chart.ts';

const defaults = readYaml(join(CHART, 'values.yaml'));
const values = (path: string) => (path.endsWith('/values.yaml') ? defaults : mergeValues(defaults, readYaml(path)));
/** Each ${VARIABLE} as the container would have it, from a Secret or the chart's own env. */
const environment = (text: string) =>
  Object.fromEntries(envReferences(text).map((name) => [name, name === 'OFFHOURS_REDIS_URL' ? 'redis://offhours-redis:6379' : `${name.toLowerCase()}-from-secret`]));

describe('the chart-rendered config', () => {
  it.each([...valuesFiles()])('from %s passes offhours validation', (name, path) => {
    const text = renderConfig(values(path));
    const loaded = loadConfigText(text, { file: `${name} config`, env: environment(text), definitions: providerDefinitions });
    expect(loaded.config.redis.url).toBe('redis://offhours-redis:6379');
    expect(loaded.config.http.port).toBe(9464);
  });

  it('carries the example installation through: providers, schedules, targets and their cost per hour', () => {
    const text = renderConfig(values(join(CHART, 'ci/production-values.yaml')));
    const loaded = loadConfigText(text, { file: 'production', env: environment(text), definitions: providerDefinitions });
    expect(loaded.config.redis.prefix).toBe('{offhours}');
    expect(loaded.targets.map((target) => [target.name, target.providerType, target.costPerHour])).toEqual([
      ['staging-broker', 'emqx', 0.55],
      ['analytics-dev', 'clickhouse', 1.8],
    ]);
    expect(envReferences(text).sort()).toEqual(['CLICKHOUSE_KEY_ID', 'CLICKHOUSE_KEY_SECRET', 'EMQX_KEY', 'EMQX_SECRET', 'OFFHOURS_REDIS_URL']);
  });

  it('keeps a Redis URL the config names itself', () => {
    const text = renderConfig(mergeValues(defaults, { config: { redis: { url: 'redis://elsewhere:6379' } } }));
    expect(envReferences(text)).toEqual([]);
    expect(loadConfigText(text, { file: 'own redis', env: {}, definitions: providerDefinitions }).config.redis.url).toBe('redis://elsewhere:6379');
  });
});
