// The Grafana dashboard shipped in the chart: every query parses as PromQL and names only metrics and
// labels the daemon exports, and the panels cover what the issue asks to see.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART, promtoolCheckExpressions, unknownMetricsIn, type Values } from './chart.ts';

const dashboard = JSON.parse(readFileSync(join(CHART, 'files/grafana-dashboard.json'), 'utf8')) as Values;
const panels = (dashboard.panels as Values[]).filter((panel) => panel.type !== 'row');
const queries = panels.flatMap((panel) => (panel.targets as Values[]).map((target) => ({ panel: panel.title as string, expr: target.expr as string })));
const variableQueries = (dashboard.templating.list as Values[]).filter((v) => v.type === 'query').map((v) => v.definition as string);

/** Grafana's interval variables as a Prometheus parser needs them; $provider and $target sit inside quotes. */
const asPromql = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1d').replaceAll('$__interval', '1m');

describe('helm/offhours/files/grafana-dashboard.json', () => {
  it('queries only metrics and labels the daemon exports', () => {
    expect(queries.length).toBeGreaterThan(15);
    for (const { panel, expr } of queries) expect(unknownMetricsIn(expr), panel).toEqual([]);
    for (const query of variableQueries) expect(unknownMetricsIn(query), query).toEqual([]);
  });

  it('has queries Prometheus parses (promtool)', () => {
    const result = promtoolCheckExpressions(queries.map((query) => asPromql(query.expr)), 'dashboard-queries.yaml');
    expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('shows transitions, failures, deferrals, throttles, desired vs observed per target, action lag and savings', () => {
    const all = queries.map((query) => query.expr).join('\n');
    for (const metric of [
      'offhours_transitions_total',
      'offhours_failures_total',
      'offhours_rate_limit_deferrals_total',
      'offhours_deferred_actions',
      'offhours_provider_throttles_total',
      'offhours_target_desired_state',
      'offhours_target_observed_state',
      'offhours_action_lag_seconds_bucket',
      'offhours_estimated_savings_total',
      'offhours_target_stopped_seconds_total',
    ]) {
      expect(all).toContain(metric);
    }
    const timeline = panels.find((panel) => panel.type === 'state-timeline')!;
    expect(timeline.targets.map((target: Values) => target.legendFormat)).toEqual(['{{target}} desired', '{{target}} observed']);
  });

  it('is importable anywhere: a datasource variable, unique panel ids, stable uid', () => {
    expect(dashboard.uid).toBe('offhours');
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    for (const panel of panels) expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
    const ids = (dashboard.panels as Values[]).map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
