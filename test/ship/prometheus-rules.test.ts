// The chart's alert rules: valid for Prometheus (`promtool check rules`), right on example series
// (`promtool test rules`), and written only in metrics the daemon exports.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHART, readYaml, unknownMetricsIn, writeTemp, type Values } from './chart.ts';
import { stringify } from 'yaml';

const RULES = join(CHART, 'files/prometheus-rules.yaml');
const CASES = fileURLToPath(new URL('./prometheus-rules-cases.yaml', import.meta.url));
const promtool = (...args: string[]) => spawnSync('promtool', args, { encoding: 'utf8' });
const rules = (): Values[] => readYaml(RULES).groups.flatMap((group: Values) => group.rules);

describe('helm/offhours/files/prometheus-rules.yaml', () => {
  it('passes promtool check rules', () => {
    const result = promtool('check', 'rules', RULES);
    expect(result.stdout + result.stderr).toContain('SUCCESS: 8 rules found');
    expect(result.status).toBe(0);
  });

  it('alerts on failing transitions, throttles, a target stuck in the wrong state, long deferrals and readiness', () => {
    expect(rules().map((rule) => rule.alert)).toEqual([
      'OffhoursTransitionFailed',
      'OffhoursNeedsAHuman',
      'OffhoursProviderThrottled',
      'OffhoursTargetInWrongState',
      'OffhoursDeferringTooLong',
      'OffhoursIdleSignalFailing',
      'OffhoursNotReady',
      'OffhoursAbsent',
    ]);
    for (const rule of rules()) expect(rule.labels.severity, rule.alert).toMatch(/^(warning|critical)$/);
  });

  it('fires on the series that should trigger each alert and not on their look-alikes (promtool test rules)', () => {
    const result = promtool('test', 'rules', CASES);
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('would catch a rule that stopped matching its case', () => {
    const doc = readYaml(RULES);
    doc.groups[0].rules.find((rule: Values) => rule.alert === 'OffhoursTargetInWrongState').for = '30m';
    const broken = writeTemp('broken-rules.yaml', stringify(doc));
    const cases = readYaml(CASES);
    cases.rule_files = [broken];
    const result = promtool('test', 'rules', writeTemp('broken-cases.yaml', stringify(cases)));
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('OffhoursTargetInWrongState');
  });

  it('names only metrics and labels the daemon exports', () => {
    for (const rule of rules()) expect(unknownMetricsIn(rule.expr), rule.alert).toEqual([]);
    expect(unknownMetricsIn('rate(offhours_transitions_totl[5m]) + offhours_action_lag_seconds')).toEqual([
      'offhours_transitions_totl is not exported',
      'offhours_action_lag_seconds is not exported',
    ]);
    expect(unknownMetricsIn('offhours_failures_total{target="x", pod="p"}')).toEqual(['offhours_failures_total has no label target']);
  });
});
