// The chart as Helm renders it. Needs a helm binary ($HELM_BIN or on PATH); Debian packages none, so these
// tests skip where there is none (the schema, rules, dashboard and config tests run everywhere).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.ts';
import { providerDefinitions } from '../../src/providers/registry.ts';
import { CHART, envReferences, findHelm, mergeValues, readYaml, renderConfig, unknownMetricsIn, valuesFiles, writeTemp, type Values } from './chart.ts';

const helm = findHelm();

function run(args: string[]) {
  const result = spawnSync(helm!, args, { encoding: 'utf8' });
  return { status: result.status, out: result.stdout, err: result.stderr };
}

/** `helm template` of the chart with a values file (or none), as a list of objects. */
function render(valuesFile?: string, ...extra: string[]): Values[] {
  const result = run(['template', 'rel', CHART, '--namespace', 'apps', ...(valuesFile ? ['-f', valuesFile] : []), ...extra]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.err}`);
  return parseAllDocuments(result.out).map((doc) => doc.toJS() as Values).filter(Boolean);
}

const find = (objects: Values[], kind: string, name?: string) => objects.find((o) => o.kind === kind && (!name || o.metadata.name === name));
const defaults = readYaml(join(CHART, 'values.yaml'));
const PRODUCTION = join(CHART, 'ci/production-values.yaml');

describe.skipIf(!helm)('helm/offhours rendered by helm', () => {
  it.each([['values.yaml', undefined], ...[...valuesFiles()].filter(([name]) => name !== 'values.yaml')])('lints clean with %s (helm lint --strict)', (_name, path) => {
    const result = run(['lint', CHART, '--strict', ...(path ? ['-f', path] : [])]);
    expect(result.out + result.err).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it('runs a hardened Deployment: non-root, read-only root, no capabilities, a writable /tmp, probes on /healthz and /readyz', () => {
    const objects = render(PRODUCTION);
    const deployment = find(objects, 'Deployment', 'rel-offhours')!;
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(container.image).toBe('registry.example.com/platform/offhours:0.1.0');
    expect(container.args).toEqual(['run', '--config', '/etc/offhours/offhours.yaml']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9464, protocol: 'TCP' }]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.volumeMounts).toEqual([
      { name: 'config', mountPath: '/etc/offhours', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'config', configMap: { name: 'rel-offhours' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
    expect(deployment.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes credentials and the Redis URL from existing Secrets, never from values', () => {
    const [container] = find(render(PRODUCTION), 'Deployment', 'rel-offhours')!.spec.template.spec.containers;
    expect(container.envFrom).toEqual([{ secretRef: { name: 'offhours-provider-credentials' } }]);
    expect(container.env).toContainEqual({ name: 'OFFHOURS_REDIS_URL', valueFrom: { secretKeyRef: { name: 'offhours-redis', key: 'url' } } });
    for (const variable of container.env as Values[]) {
      if (/(KEY|SECRET|TOKEN|PASSWORD|REDIS_URL)/.test(variable.name)) expect(variable.value, variable.name).toBeUndefined();
    }
  });

  it('renders into its ConfigMap the config test/ship validates, and the config passes offhours validation', () => {
    for (const [name, path] of valuesFiles()) {
      const values = path.endsWith('/values.yaml') ? defaults : mergeValues(defaults, readYaml(path));
      const configMap = find(render(path), 'ConfigMap', 'rel-offhours')!;
      const text = configMap.data['offhours.yaml'] as string;
      expect(readYamlText(text), name).toEqual(readYamlText(renderConfig(values)));
      const env = Object.fromEntries(envReferences(text).map((variable) => [variable, variable === 'OFFHOURS_REDIS_URL' ? 'redis://r:6379' : 'from-secret']));
      expect(() => loadConfigText(text, { file: name, env, definitions: providerDefinitions }), name).not.toThrow();
    }
  });

  it('selects its own pods from the Service, ServiceMonitor and PodDisruptionBudget', () => {
    const objects = render(PRODUCTION);
    const podLabels = find(objects, 'Deployment', 'rel-offhours')!.spec.template.metadata.labels;
    const selected = (selector: Record<string, string>) => Object.entries(selector).every(([key, value]) => podLabels[key] === value);
    expect(selected(find(objects, 'Service', 'rel-offhours')!.spec.selector)).toBe(true);
    expect(selected(find(objects, 'PodDisruptionBudget')!.spec.selector.matchLabels)).toBe(true);
    expect(find(objects, 'PodDisruptionBudget')!.spec).toMatchObject({ minAvailable: 2 });
    const monitor = find(objects, 'ServiceMonitor')!;
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    expect(Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => find(objects, 'Service', 'rel-offhours')!.metadata.labels[key] === value)).toBe(true);
  });

  it('wraps the alert rules in a PrometheusRule with the overrides applied, and promtool accepts its spec', () => {
    const rule = find(render(PRODUCTION), 'PrometheusRule')!;
    const rules = rule.spec.groups.flatMap((group: Values) => group.rules) as Values[];
    expect(rules.map((r) => r.alert)).not.toContain('OffhoursAbsent');
    expect(rules.find((r) => r.alert === 'OffhoursTargetInWrongState')!.for).toBe('2h');
    expect(rules.find((r) => r.alert === 'OffhoursNotReady')!.labels).toEqual({ severity: 'critical', team: 'platform' });
    expect(rule.spec.groups.at(-1)).toMatchObject({ name: 'offhours-extra', rules: [{ alert: 'OffhoursSlowActions' }] });
    for (const r of rules) expect(unknownMetricsIn(r.expr), r.alert).toEqual([]);
    const check = spawnSync('promtool', ['check', 'rules', writeTemp('rendered-rules.yaml', stringify(rule.spec))], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('ships the dashboard in a ConfigMap the Grafana sidecar picks up', () => {
    const dashboard = find(render(PRODUCTION), 'ConfigMap', 'rel-offhours-dashboard')!;
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    expect(dashboard.metadata.annotations).toEqual({ grafana_folder: 'Cost' });
    expect(JSON.parse(dashboard.data['offhours.json']).uid).toBe('offhours');
  });

  it('deploys its own Redis only when no other is named, and refuses to render without any', () => {
    const bundled = render();
    expect(find(bundled, 'Deployment', 'rel-offhours-redis')).toBeDefined();
    expect(find(bundled, 'Deployment', 'rel-offhours')!.spec.template.spec.containers[0].env).toContainEqual({ name: 'OFFHOURS_REDIS_URL', value: 'redis://rel-offhours-redis:6379' });
    expect(find(render(PRODUCTION), 'Deployment', 'rel-offhours-redis')).toBeUndefined();
    const none = run(['template', 'rel', CHART, '--set', 'redis.deploy.enabled=false']);
    expect(none.status).not.toBe(0);
    expect(none.err).toContain('offhours: no Redis: set redis.url, redis.existingSecret, redis.deploy.enabled=true or config.redis.url');
  });

  it('follows config.http.port in the container port and the probes', () => {
    const [container] = find(render(undefined, '--set', 'config.http.port=9100'), 'Deployment', 'rel-offhours')!.spec.template.spec.containers;
    expect(container.ports[0].containerPort).toBe(9100);
    expect(container.env).toContainEqual({ name: 'OFFHOURS_PORT', value: '9100' });
  });
});

function readYamlText(text: string): unknown {
  return parseAllDocuments(text)[0]!.toJS();
}
