import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/config-error.ts';
import { loadConfigText, type LoadedConfig } from '../../src/config/load-config.ts';
import type { Env } from '../../src/config/expand-env.ts';
import { definitions } from './fake-definition.ts';

const VALID = `
timezone: Europe/Berlin
redis:
  prefix: "{offhours}"
providers:
  main:
    type: fake
    credentials: { token: tk-one }
    limits:
      start: { max: 1, per: 60m }
    poll: { verify: 30s }
  second:
    type: other
    credentials: { password: pw }
schedules:
  office:
    running: ["Mon-Fri 08:00-19:00"]
    except: ["2025-12-25"]
  nightly:
    timezone: America/New_York
    cron: { start: "0 20 * * *", stop: "0 6 * * *" }
idlePolicies:
  quiet:
    type: prometheus
    url: http://prometheus:9090
    query: sum(rate(requests_total[5m]))
    threshold: 0.1
    for: 30m
targets:
  - name: broker
    provider: main
    resource: dep-1
    schedule: office
    idle: quiet
    description: staging broker
  - name: db
    provider: second
    resource: srv-1
    schedule: { running: ["Sat 10:00-14:00"] }
    enabled: false
  - name: cache
    provider: main
    resource: dep-2
    schedule: always
`;

function load(text: string, env: Env = {}, file = 'test.yaml'): LoadedConfig {
  return loadConfigText(text, { file, env, definitions });
}

function problemsOf(text: string, env: Env = {}): ConfigProblem[] {
  try {
    load(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function errorOf(text: string, env: Env = {}): ConfigError {
  try {
    load(text, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The VALID config with `replace` applied, for one mistake at a time. */
const withChange = (from: string, to: string) => {
  if (!VALID.includes(from)) throw new Error(`fixture has no ${from}`);
  return VALID.replace(from, to);
};

describe('loadConfigText: valid files', () => {
  it('parses YAML, fills defaults and resolves every target', () => {
    const { config, schedules, targets } = load(VALID);
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: '{offhours}' });
    expect(config.http).toEqual({ port: 9464, host: '0.0.0.0' });
    expect(config.providers.main).toMatchObject({ type: 'fake', timeout: 10_000, poll: { verify: 30_000, timeout: 1_800_000 }, limits: { start: { max: 1, perMs: 3_600_000 } } });
    expect(config.idlePolicies.quiet).toEqual({ type: 'prometheus', url: 'http://prometheus:9090', query: 'sum(rate(requests_total[5m]))', threshold: 0.1, for: 1_800_000, wakeOn: 'schedule' });
    expect([...schedules.keys()].sort()).toEqual(['cache/inline', 'db/inline', 'nightly', 'office']);
    expect(targets.map(({ schedule, ...rest }) => ({ ...rest, compiled: schedule.name }))).toEqual([
      { name: 'broker', provider: 'main', providerType: 'fake', resource: 'dep-1', scheduleName: 'office', compiled: 'office', idle: 'quiet', enabled: true, description: 'staging broker' },
      { name: 'db', provider: 'second', providerType: 'other', resource: 'srv-1', scheduleName: 'db/inline', compiled: 'db/inline', enabled: false },
      { name: 'cache', provider: 'main', providerType: 'fake', resource: 'dep-2', scheduleName: 'cache/inline', compiled: 'cache/inline', enabled: true },
    ]);
    expect(targets[0]!.schedule).toBe(schedules.get('office'));
  });

  it('compiles schedules with the default timezone unless they name their own', () => {
    const { schedules } = load(VALID);
    expect(schedules.get('office')!.timezone).toBe('Europe/Berlin');
    expect(schedules.get('nightly')!.timezone).toBe('America/New_York');
    // 09:00 in Berlin on a Monday is inside Mon-Fri 08:00-19:00; 07:00 UTC is not yet 08:00 in New York's evening window
    expect(schedules.get('office')!.stateAt(new Date('2025-06-02T07:00:00Z')).state).toBe('running');
    expect(schedules.get('office')!.stateAt(new Date('2025-06-02T05:00:00Z')).state).toBe('stopped');
  });

  it('reads JSON with the same result', () => {
    const json = JSON.stringify(
      {
        timezone: 'Europe/Berlin',
        providers: { main: { type: 'fake', credentials: { token: 'tk-one' } } },
        schedules: { office: { running: ['Mon-Fri 08:00-19:00'] } },
        targets: [{ name: 'broker', provider: 'main', resource: 'dep-1', schedule: 'office' }],
      },
      null,
      '\t',
    );
    const { config, targets } = load(json, {}, 'offhours.json');
    expect(config.providers.main).toMatchObject({ type: 'fake', credentials: { token: 'tk-one' } });
    expect(targets.map((target) => [target.name, target.scheduleName])).toEqual([['broker', 'office']]);
  });

  it('reports JSON problems with their line too', () => {
    const json = '{\n  "providers": {},\n  "targets": [\n    {"name": "a", "provider": "main", "resource": "r", "schedule": "always"}\n  ]\n}';
    expect(() => load(json, {}, 'x.json')).toThrow(ConfigError);
    expect(problemsOf(json)).toEqual([{ path: 'targets[0].provider', line: 4, message: 'unknown provider "main" (no providers are defined)' }]);
  });
});

describe('loadConfigText: environment variables', () => {
  const ENV_CONFIG = `
redis:
  url: \${REDIS_URL:-redis://cache:6379}
http:
  port: \${PORT:-9464}
providers:
  main:
    type: fake
    credentials: { token: "\${TOKEN}" }
    limits:
      start: { max: "\${START_MAX}", per: "\${START_PER:-60m}" }
idlePolicies:
  probe:
    type: http
    url: \${PROBE_URL}
    field: $\${literal}
    threshold: \${THRESHOLD:-0.5}
    for: 10m
targets:
  - name: t
    provider: main
    resource: \${RESOURCE}
    schedule: always
    enabled: \${ENABLED:-true}
    description: \${DESCRIPTION:-none}
`;
  const ENV = { TOKEN: 'tk-secret', START_MAX: '2', PROBE_URL: 'http://probe/health', RESOURCE: '12345', DESCRIPTION: 'a: b # c' };

  it('uses defaults, coerces substituted numbers and booleans, keeps everything else a string', () => {
    const { config, targets } = load(ENV_CONFIG, ENV);
    expect(config.redis.url).toBe('redis://cache:6379');
    expect(config.http.port).toBe(9464);
    expect(config.providers.main!.limits).toEqual({ start: { max: 2, perMs: 3_600_000 } });
    expect(config.idlePolicies.probe).toMatchObject({ url: 'http://probe/health', field: '${literal}', threshold: 0.5 });
    expect(targets[0]).toMatchObject({ resource: '12345', enabled: true, description: 'a: b # c' });
  });

  it('takes values from the env over defaults', () => {
    const { config, targets } = load(ENV_CONFIG, { ...ENV, PORT: '8080', THRESHOLD: '-1.5e1', ENABLED: 'false', REDIS_URL: 'rediss://r:6380' });
    expect(config.http.port).toBe(8080);
    expect(config.idlePolicies.probe).toMatchObject({ threshold: -15 });
    expect(config.redis.url).toBe('rediss://r:6380');
    expect(targets[0]!.enabled).toBe(false);
  });

  it('does not coerce strings the schema wants, nor strings written in the file', () => {
    expect(problemsOf(ENV_CONFIG, { ...ENV, PORT: 'eighty' })).toEqual([{ path: 'http.port', line: 5, message: 'expected number, got string' }]);
    expect(problemsOf(ENV_CONFIG.replace('${PORT:-9464}', '"9464"'), ENV)).toEqual([{ path: 'http.port', line: 5, message: 'expected number, got string' }]);
  });

  it('names every missing variable with its path, once', () => {
    expect(problemsOf(ENV_CONFIG, { TOKEN: 'tk-x', START_MAX: '1' })).toEqual([
      { path: 'idlePolicies.probe.url', line: 15, message: 'environment variable PROBE_URL is not set (set it, or write ${PROBE_URL:-default})' },
      { path: 'targets[0].resource', line: 22, message: 'environment variable RESOURCE is not set (set it, or write ${RESOURCE:-default})' },
    ]);
  });
});

describe('loadConfigText: every kind of problem', () => {
  it('unknown top-level key, with its line', () => {
    expect(problemsOf(withChange('timezone: Europe/Berlin', 'timzone: Europe/Berlin'))).toEqual([{ path: 'timzone', line: 2, message: 'unknown key "timzone"' }]);
  });

  it('unknown nested keys', () => {
    expect(problemsOf(withChange('    idle: quiet', '    idel: quiet'))).toEqual([{ path: 'targets[0].idel', line: 34, message: 'unknown key "idel"' }]);
    expect(problemsOf(withChange('poll: { verify: 30s }', 'poll: { verfy: 30s }'))).toEqual([{ path: 'providers.main.poll.verfy', line: 11, message: 'unknown key "verfy"' }]);
  });

  it('missing required values', () => {
    expect(problemsOf(withChange('    resource: dep-1\n', ''))).toEqual([{ path: 'targets[0].resource', line: 30, message: 'missing (expected string)' }]);
  });

  it('unknown provider type, with a suggestion and the known ones', () => {
    expect(problemsOf(withChange('type: fake', 'type: fak'))).toEqual([{ path: 'providers.main.type', line: 7, message: 'unknown provider type "fak" (did you mean "fake"?); known: "fake", "other"' }]);
    expect(problemsOf(withChange('type: prometheus', 'type: graphite'))).toEqual([
      { path: 'idlePolicies.quiet.type', line: 24, message: 'unknown idle policy type "graphite"; known: "prometheus", "http", "clickhouse-native"' },
    ]);
  });

  it('bad duration', () => {
    expect(problemsOf(withChange('per: 60m', 'per: 60 minutes'))).toEqual([
      { path: 'providers.main.limits.start.per', line: 10, message: 'invalid duration "60 minutes" (write it as 10s, 30m, 2h or 1d)' },
    ]);
  });

  it('bad default timezone, reported once', () => {
    expect(problemsOf(withChange('timezone: Europe/Berlin', 'timezone: Europe/Berln'))).toEqual([
      { path: 'timezone', line: 2, message: 'unknown timezone "Europe/Berln" (use an IANA name such as "Europe/Berlin", or "UTC")' },
    ]);
  });

  it('bad schedule timezone, from the compiler', () => {
    const [problem, ...rest] = problemsOf(withChange('timezone: America/New_York', 'timezone: America/Nowhere'));
    expect(rest).toEqual([]);
    expect(problem!.path).toMatch(/^schedules\.nightly/);
    expect(problem!.message).toContain('America/Nowhere');
  });

  it('bad cron pattern, at its path inside the schedule', () => {
    const [problem, ...rest] = problemsOf(withChange('start: "0 20 * * *"', 'start: "0 25 * * *"'));
    expect(rest).toEqual([]);
    expect(problem!.path).toMatch(/^schedules\.nightly\.cron/);
    expect(problem!.line).toBe(21);
  });

  it('bad window, at its index', () => {
    const [problem, ...rest] = problemsOf(withChange('running: ["Mon-Fri 08:00-19:00"]', 'running: ["Mon-Fri 08:00-19:00", "Mon-Fry 08:00-19:00"]'));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: 'schedules.office.running[1]', line: 17 });
  });

  it('bad inline schedule, at the target', () => {
    const [problem] = problemsOf(withChange('running: ["Sat 10:00-14:00"]', 'running: ["Sat 10:00-44:00"]'));
    expect(problem).toMatchObject({ path: 'targets[1].schedule.running[0]', line: 39 });
  });

  it('malformed inline schedule: the closest form explains', () => {
    expect(problemsOf(withChange('schedule: { running: ["Sat 10:00-14:00"] }', 'schedule: { cron: { start: "0 8 * * *" } }'))).toEqual([
      { path: 'targets[1].schedule.cron.stop', line: 39, message: 'missing (expected string)' },
    ]);
    // a string that cannot be a name is a kube-downscaler uptime, so the compiler explains what is wrong with it
    expect(problemsOf(withChange('schedule: always', 'schedule: "Mon-Fri 8-19"'))).toEqual([
      {
        path: 'targets[2].schedule',
        line: 44,
        message: expect.stringMatching(/^"Mon-Fri 8-19" is not a schedule name .* read as a kube-downscaler uptime: invalid uptime "Mon-Fri 8-19": expected e\.g\. "Mon-Fri 07:30-20:30 Europe\/Berlin"/),
      },
    ]);
    expect(problemsOf(withChange('schedule: { running: ["Sat 10:00-14:00"] }', 'schedule: { running: [] }'))).toEqual([
      { path: 'targets[1].schedule.running', line: 39, message: 'expected at least 1 item' },
    ]);
    expect(problemsOf(withChange('schedule: always', 'schedule: 5'))).toEqual([{ path: 'targets[2].schedule', line: 44, message: 'expected string or "always" or "never" or object, got number' }]);
  });

  it('unknown schedule, provider and idle policy references, with suggestions', () => {
    expect(problemsOf(withChange('schedule: office', 'schedule: ofice'))).toEqual([{ path: 'targets[0].schedule', line: 33, message: 'unknown schedule "ofice" (did you mean "office"?)' }]);
    expect(problemsOf(withChange('provider: second', 'provider: third'))).toEqual([{ path: 'targets[1].provider', line: 37, message: 'unknown provider "third"' }]);
    expect(problemsOf(withChange('schedule: office', 'schedule: constructor'))).toEqual([{ path: 'targets[0].schedule', line: 33, message: 'unknown schedule "constructor"' }]);
    expect(problemsOf(withChange('idle: quiet', 'idle: quite'))).toEqual([{ path: 'targets[0].idle', line: 34, message: 'unknown idle policy "quite" (did you mean "quiet"?)' }]);
  });

  it('duplicate target names and duplicate (provider, resource) pairs', () => {
    expect(problemsOf(withChange('name: cache', 'name: broker'))).toEqual([{ path: 'targets[2].name', line: 41, message: 'duplicate target name "broker" (also targets[0])' }]);
    expect(problemsOf(withChange('resource: dep-2', 'resource: dep-1'))).toEqual([
      { path: 'targets[2].resource', line: 43, message: 'resource "dep-1" of provider "main" is already managed by targets[0]' },
    ]);
  });

  it('names unfit for Redis keys, saying why', () => {
    const problems = problemsOf(withChange('  office:\n', '  "office hours":\n').replace('schedule: office', 'schedule: "office hours"'));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ path: 'schedules["office hours"]', line: 16 });
    expect(problems[0]!.message).toMatch(/no ":" or spaces/);
    expect(problems[1]).toMatchObject({ path: 'targets[0].schedule' });
  });

  it('YAML syntax errors, with line and column', () => {
    // only the first: the parser's later complaints are echoes of it
    expect(problemsOf('providers:\n  main:\n    type: fake\n    credentials: { token: "tk-1 }\ntargets: []\n')).toEqual([
      { path: '', line: 6, column: 1, message: 'YAML syntax error: Missing closing "quote' },
    ]);
    expect(problemsOf('targets:\n  - name: a\n  name: b\n')).toEqual([{ path: '', line: 3, column: 1, message: 'YAML syntax error: All mapping items must start at the same column' }]);
    expect(problemsOf('timezone: UTC\ntimezone: UTC\n')).toEqual([{ path: '', line: 2, column: 1, message: 'YAML syntax error: Map keys must be unique' }]);
  });

  it('an empty file or a non-mapping', () => {
    expect(problemsOf('')).toEqual([{ path: '', message: 'the file is empty (expected a mapping with providers, schedules and targets)' }]);
    expect(problemsOf('- a\n- b\n')).toEqual([{ path: '', line: 1, message: 'expected object, got array' }]);
  });
});

describe('loadConfigText: all problems at once', () => {
  it('lists schema, reference and schedule problems of one file together, without a stack trace', () => {
    const text = VALID.replace('timezone: Europe/Berlin', 'timezone: Mars/Olympus')
      .replace('for: 30m', 'for: soon')
      .replace('schedule: office', 'schedule: ofice')
      .replace('name: cache', 'name: broker')
      .replace('"Mon-Fri 08:00-19:00"', '"Mon-Fri 08:00-29:00"')
      .replace('    enabled: false', '    enabled: false\n    colour: blue');
    const error = errorOf(text);
    expect(error.problems.map((problem) => problem.path)).toEqual([
      'timezone',
      'idlePolicies.quiet.for',
      'targets[1].colour',
      'schedules.office.running[0]',
      'targets[0].schedule',
      'targets[2].name',
    ]);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('[config] test.yaml: 6 problems');
    expect(lines.slice(1).map((line) => line.trim().split(':')[0])).toEqual(error.problems.map((problem) => problem.path));
    expect(lines).toContain('  targets[0].schedule: unknown schedule "ofice" (did you mean "office"?) (line 33)');
    expect(error.message).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('loadConfigText: secrets stay out of errors', () => {
  const SECRET = 'hunter2-very-secret';

  it('never shows a credential, whatever is wrong with it or near it', () => {
    const text = `
redis:
  url: redis://:${SECRET}@cache:port
providers:
  main:
    type: fake
    credentials: { token: "\${TOKEN}", extra: "\${TOKEN}" }
  short:
    type: fake
    credentials: { token: ab }
  other:
    type: other
    credentials: { password: 42 }
    timeout: \${TOKEN}
  unknown:
    type: nope
    credentials: { apiKey: ${SECRET}-2 }
idlePolicies:
  probe: { type: http, url: "http://user:${SECRET}@probe:x/", for: "\${TOKEN}" }
targets: []
`;
    const error = errorOf(text, { TOKEN: SECRET });
    expect(error.problems.length).toBeGreaterThanOrEqual(6);
    const everything = JSON.stringify(error.problems) + error.message;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('hunter2');
    // the short token is hidden by replacing its message, not by garbling every "ab" in the text
    expect(error.problems).toContainEqual({ path: 'providers.short.credentials.token', line: 10, message: 'invalid value (not shown: it is a credential)' });
    expect(error.problems).toContainEqual({ path: 'providers.main.credentials.token', line: 7, message: 'invalid value (not shown: it is a credential)' });
  });

  it('does not take an entry named like a credential for one', () => {
    const error = errorOf('providers:\n  token-service: { type: fake, credentials: { token: tk-1 }, timeout: soon }\n');
    expect(error.problems).toEqual([{ path: 'providers["token-service"].timeout', line: 2, message: 'invalid duration "soon" (write it as 10s, 30m, 2h or 1d)' }]);
  });

  it('does not quote a YAML token that may be a credential', () => {
    const error = errorOf(`providers:\n  main:\n    credentials: { token: tk-${SECRET} ]\n`);
    expect(error.message).not.toContain(SECRET);
  });
});
