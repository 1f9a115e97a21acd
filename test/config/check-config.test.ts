import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/check-config.ts';
import { definitions } from './fake-definition.ts';

const dir = mkdtempSync(join(tmpdir(), 'offhours-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('checkConfig', () => {
  it('summarises a valid file', async () => {
    const path = file(
      'ok.yaml',
      `providers:
  main: { type: fake, credentials: { token: "\${TOKEN}" } }
schedules:
  office: { running: ["Mon-Fri 08:00-19:00"] }
targets:
  - { name: a, provider: main, resource: r1, schedule: office }
  - { name: b, provider: main, resource: r2, schedule: never, enabled: false }
`,
    );
    expect(await checkConfig(path, { env: { TOKEN: 'tk-1' }, definitions })).toEqual({
      ok: true,
      summary: { providers: 1, schedules: 2, idlePolicies: 0, targets: 2, enabledTargets: 1 },
      warnings: [],
    });
  });

  it('returns the problems of an invalid file', async () => {
    const path = file('bad.json', '{"targets": [{"name": "a", "provider": "main", "resource": "r", "schedule": "always"}], "colour": 1}');
    expect(await checkConfig(path, { env: {}, definitions })).toEqual({
      ok: false,
      problems: [
        { path: 'colour', line: 1, message: 'unknown key "colour"' },
        { path: 'targets[0].provider', line: 1, message: 'unknown provider "main" (no providers are defined)' },
      ],
    });
  });

  it('reports a missing file as a problem, not a crash', async () => {
    expect(await checkConfig(join(dir, 'nope.yaml'), { env: {}, definitions })).toEqual({
      ok: false,
      problems: [{ path: '', message: 'cannot read the file (it does not exist)' }],
    });
  });
});
