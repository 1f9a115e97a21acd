import { describe, expect, it } from 'vitest';
import { ConfigError, didYouMean, formatPath, formatProblem } from '../../src/config/config-error.ts';

describe('ConfigError', () => {
  it('lists every problem on its own line, with its line when known', () => {
    const error = new ConfigError('config/offhours.yaml', [
      { path: 'targets[2].schedule', line: 14, message: 'unknown schedule "ofice" (did you mean "office"?)' },
      { path: 'http.port', message: 'expected number, got string' },
      { path: '', line: 3, column: 7, message: 'YAML syntax error: Missing closing "quote' },
    ]);
    expect(error.message.split('\n')).toEqual([
      '[config] config/offhours.yaml: 3 problems',
      '  targets[2].schedule: unknown schedule "ofice" (did you mean "office"?) (line 14)',
      '  http.port: expected number, got string',
      '  (file): YAML syntax error: Missing closing "quote (line 3, column 7)',
    ]);
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it('formats one problem the way the CLI prints it', () => {
    expect(formatProblem({ path: 'schedules.office.running[1]', line: 9, message: 'bad window' })).toBe('schedules.office.running[1]: bad window (line 9)');
  });
});

describe('formatPath', () => {
  it('writes JS notation, quoting keys that are not identifiers', () => {
    expect(formatPath(['targets', 2, 'schedule'])).toBe('targets[2].schedule');
    expect(formatPath(['schedules', 'office-hours', 'running', 0])).toBe('schedules["office-hours"].running[0]');
    expect(formatPath(['providers', 'a.b'])).toBe('providers["a.b"]');
    expect(formatPath([])).toBe('');
  });
});

describe('didYouMean', () => {
  it('suggests the closest plausible name, including transpositions and case', () => {
    expect(didYouMean('ofice', ['weekend', 'office'])).toBe(' (did you mean "office"?)');
    expect(didYouMean('offcie', ['office'])).toBe(' (did you mean "office"?)');
    expect(didYouMean('Office', ['office'])).toBe(' (did you mean "office"?)');
  });

  it('stays quiet when nothing is close', () => {
    expect(didYouMean('nightly', ['office', 'weekend'])).toBe('');
    expect(didYouMean('x', [])).toBe('');
  });
});
