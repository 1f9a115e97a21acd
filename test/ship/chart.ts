// What the test/ship suites share: the chart's files, its config rendering, helm when there is one, and the
// check that PromQL names only metrics the daemon exports.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { METRICS_DOC } from '../../src/observability/metrics.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHART = join(ROOT, 'helm/offhours');

export type Values = Record<string, any>;

export function readYaml(path: string): Values {
  return parse(readFileSync(path, 'utf8')) as Values;
}

/** values.yaml and every example values file of the chart, by name. */
export function valuesFiles(): Map<string, string> {
  const files = new Map([['values.yaml', join(CHART, 'values.yaml')]]);
  for (const name of readdirSync(join(CHART, 'ci')).filter((file) => file.endsWith('.yaml'))) files.set(`ci/${name}`, join(CHART, 'ci', name));
  return files;
}

/** Helm's merge of a values file over values.yaml: maps merge key by key, anything else is replaced. */
export function mergeValues(base: Values, over: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    const isMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
    merged[key] = isMap(current) && isMap(value) ? mergeValues(current, value) : value;
  }
  return merged;
}

/**
 * The config file as templates/_helpers.tpl ("offhours.config") renders it: `.Values.config`, with
 * redis.url set to ${OFFHOURS_REDIS_URL} unless the config names its Redis itself.
 */
export function renderConfig(values: Values): string {
  const config = structuredClone(values.config ?? {});
  if (!config.redis?.url) config.redis = { ...config.redis, url: '${OFFHOURS_REDIS_URL}' };
  return stringify(config);
}

/** The ${VARIABLES} a config text reads from the environment. */
export function envReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((match) => match[1]!))];
}

/** A helm binary: $HELM_BIN, or `helm` on PATH. Debian has no package for it; tests that need it skip without. */
export function findHelm(): string | undefined {
  const candidates = [process.env.HELM_BIN, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'helm'))];
  return candidates.find((candidate) => candidate && spawnSync(candidate, ['version', '--short'], { encoding: 'utf8' }).status === 0);
}

/** Every series name the daemon exports: histograms as their _bucket, _sum and _count series. */
export const EXPORTED_SERIES: ReadonlySet<string> = new Set(
  METRICS_DOC.flatMap((metric) => (metric.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => metric.name + suffix) : [metric.name])),
);

const LABELS_OF = new Map(METRICS_DOC.flatMap((metric) => [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`].map((name) => [name, metric.labels])));
/** Labels Prometheus or the histogram add to every series. */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint'];

/**
 * What is wrong with the offhours metrics a PromQL expression names: a name the daemon does not export
 * (a histogram's base name included), or a label matcher on a label the metric does not have.
 */
export function unknownMetricsIn(expr: string): string[] {
  const problems: string[] = [];
  for (const match of expr.matchAll(/\b(offhours_[a-z0-9_]+)(\{[^}]*\})?/g)) {
    const [, name, selector] = match;
    if (!EXPORTED_SERIES.has(name!)) {
      problems.push(`${name} is not exported`);
      continue;
    }
    const allowed = [...LABELS_OF.get(name!)!, ...TARGET_LABELS, ...(name!.endsWith('_bucket') ? ['le'] : [])];
    for (const [, label] of (selector ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      if (!allowed.includes(label!)) problems.push(`${name} has no label ${label}`);
    }
  }
  return problems;
}

/** Prometheus' own parser on expressions, through `promtool check rules` on a file of recording rules. */
export function promtoolCheckExpressions(exprs: readonly string[], file: string): { status: number | null; output: string } {
  const rules = { groups: [{ name: 'check', rules: exprs.map((expr, index) => ({ record: `check:expr_${index}`, expr })) }] };
  const result = spawnSync('promtool', ['check', 'rules', writeTemp(file, stringify(rules))], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const tempDir = mkdtempSync(join(tmpdir(), 'offhours-ship-'));
export function writeTemp(name: string, text: string): string {
  const path = join(tempDir, name);
  writeFileSync(path, text);
  return path;
}
