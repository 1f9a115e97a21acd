// values.schema.json accepts the chart's values.yaml and example values, and refuses what the chart must
// never be given: secrets in values, typos, wrong types.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CHART, mergeValues, readYaml, valuesFiles, type Values } from './chart.ts';

const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
const defaults = readYaml(join(CHART, 'values.yaml'));

/** The problems of values.yaml with `over` merged on top, as Helm validates them. */
function problems(over: Values): string[] {
  return validate(mergeValues(defaults, over)) ? [] : validate.errors!.map((error) => `${error.instancePath || '/'} ${error.message}`);
}

describe('values.schema.json', () => {
  it.each([...valuesFiles()])('accepts %s', (_name, path) => {
    expect(problems(readYaml(path))).toEqual([]);
  });

  it('is a draft-07 schema, which every Helm 3 validates, strict about unknown keys', () => {
    expect(schema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', additionalProperties: false });
    expect(problems({ replicas: 2 })).toEqual(['/ must NOT have additional properties']);
    expect(problems({ serviceMonitor: { enable: true } })).toEqual(['/serviceMonitor must NOT have additional properties']);
  });

  it('refuses credentials written into the config instead of ${VARIABLES} from a Secret', () => {
    const provider = (key: string) => ({ config: { providers: { emqx: { type: 'emqx', credentials: { key, secret: '${EMQX_SECRET}' } } } } });
    expect(problems(provider('${EMQX_KEY}'))).toEqual([]);
    expect(problems(provider('ak-1234567890'))).toEqual(['/config/providers/emqx/credentials/key must match pattern "^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$"']);
  });

  it('refuses a secret-looking env variable with a literal value, and a Redis URL with a password', () => {
    expect(problems({ env: [{ name: 'EMQX_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }, { name: 'NODE_OPTIONS', value: '--trace-warnings' }] })).toEqual([]);
    expect(problems({ env: [{ name: 'UPCLOUD_TOKEN', value: 'tok-123' }] })).toContain('/env/0 must have required property \'valueFrom\'');
    expect(problems({ redis: { url: 'redis://redis:6379/0' } })).toEqual([]);
    expect(problems({ redis: { url: 'redis://:hunter2@redis:6379/0' } })).toContain('/redis/url must NOT be valid');
    expect(problems({ config: { redis: { url: 'rediss://user:pw@redis:6380' } } })).toContain('/config/redis/url must NOT be valid');
  });

  it('checks types and names that would only fail at install time', () => {
    expect(problems({ replicaCount: 'two' })).toEqual(['/replicaCount must be integer']);
    expect(problems({ image: { pullPolicy: 'Sometimes' } })).toEqual(['/image/pullPolicy must be equal to one of the allowed values']);
    expect(problems({ prometheusRule: { alerts: { OffhoursTargetStuck: { for: '2h' } } } })).toContain('/prometheusRule/alerts property name must be valid');
    expect(problems({ prometheusRule: { alerts: { OffhoursTargetInWrongState: { for: 'two hours' } } } })).toEqual([
      '/prometheusRule/alerts/OffhoursTargetInWrongState/for must match pattern "^([0-9]+(ms|s|m|h|d|w|y))+$"',
    ]);
    expect(problems({ config: { http: { port: 70000 } } })).toEqual(['/config/http/port must be <= 65535']);
    expect(problems({ config: { targets: [{ name: 'a:b', provider: 'p', resource: 'r', schedule: 'always' }] } })).toEqual([
      '/config/targets/0/name must match pattern "^[A-Za-z0-9][A-Za-z0-9._-]*$"',
    ]);
  });

  it('lists every alert of files/prometheus-rules.yaml, so each one can be overridden', () => {
    const alerts = readYaml(join(CHART, 'files/prometheus-rules.yaml')).groups.flatMap((group: Values) => group.rules.map((rule: Values) => rule.alert));
    const names = (schema as Values).properties.prometheusRule.properties.alerts.propertyNames.enum;
    expect([...names].sort()).toEqual([...alerts].sort());
  });
});

describe('helm/offhours/README.md', () => {
  // Maps whose keys are Kubernetes' or offhours' own, documented as one value.
  const WHOLE = new Set(['config', 'podSecurityContext', 'securityContext', 'resources', 'redis.deploy.resources', 'probes.startup', 'probes.liveness', 'probes.readiness', 'grafanaDashboard.labels']);
  const paths = (node: Values, prefix = ''): string[] =>
    Object.entries(node).flatMap(([key, value]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      const isMap = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
      return isMap && !WHOLE.has(path) ? paths(value, path) : [path];
    });

  it('describes every value of values.yaml', () => {
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]));
    expect(paths(defaults).filter((path) => !documented.has(path))).toEqual([]);
  });
});
