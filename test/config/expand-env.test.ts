import { describe, expect, it } from 'vitest';
import { expandEnv, expandEnvString } from '../../src/config/expand-env.ts';

describe('expandEnvString', () => {
  it('substitutes variables, falling back to the default when unset or empty', () => {
    const env = { HOST: 'db.internal', EMPTY: '' };
    expect(expandEnvString('redis://${HOST}:${PORT:-6379}/0', env)).toEqual({ value: 'redis://db.internal:6379/0', substituted: true, problems: [] });
    expect(expandEnvString('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(expandEnvString('[${EMPTY}]', env).value).toBe('[]');
    expect(expandEnvString('${HOST:-}', env).value).toBe('db.internal');
    expect(expandEnvString('${NOPE:-}', env).value).toBe('');
  });

  it('reads only the variables themselves, not what every object inherits', () => {
    expect(expandEnvString('${constructor:-none}', {}).value).toBe('none');
  });

  it('keeps a default verbatim, colons and all', () => {
    expect(expandEnvString('${URL:-http://a:1/b?c=d#e}', {}).value).toBe('http://a:1/b?c=d#e');
  });

  it('reads $${ as a literal ${ and leaves other dollars alone', () => {
    expect(expandEnvString('cost: $5, tmpl $${NAME} and $${X:-y}', { NAME: 'no' })).toEqual({
      value: 'cost: $5, tmpl ${NAME} and ${X:-y}',
      substituted: false,
      problems: [],
    });
  });

  it('names a missing variable and suggests a default', () => {
    const result = expandEnvString('${EMQX_SECRET}', {});
    expect(result.problems).toEqual(['environment variable EMQX_SECRET is not set (set it, or write ${EMQX_SECRET:-default})']);
  });

  it('rejects malformed references without echoing the text', () => {
    const unclosed = expandEnvString('s3cr3t-${OOPS', {});
    expect(unclosed.problems).toHaveLength(1);
    expect(unclosed.problems[0]).toMatch(/unclosed "\$\{" at character 8/);
    const invalid = expandEnvString('${1BAD}', {});
    expect(invalid.problems[0]).toMatch(/invalid variable reference/);
    expect([...unclosed.problems, ...invalid.problems].join()).not.toMatch(/s3cr3t|1BAD/);
  });
});

describe('expandEnv', () => {
  it('expands string values at any depth, never keys, and reports problems by path', () => {
    const document = { '${KEY}': 'x', list: ['${A}', 1, true, null, { deep: '${MISSING}' }] };
    const result = expandEnv(document, { A: 'a: b # not a comment', KEY: 'k' });
    expect(result.value).toEqual({ '${KEY}': 'x', list: ['a: b # not a comment', 1, true, null, { deep: '' }] });
    expect(result.problems).toEqual([{ path: ['list', 4, 'deep'], message: expect.stringContaining('MISSING') }]);
    expect(result.substituted).toEqual([
      ['list', 0],
      ['list', 4, 'deep'],
    ]);
  });

  it('does not modify its input', () => {
    const document = { a: '${A}' };
    expandEnv(document, { A: '1' });
    expect(document).toEqual({ a: '${A}' });
  });
});
