import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { cloudsigmaObservedState, createCloudsigmaAdapter } from '../../../src/providers/cloudsigma/cloudsigma-adapter.ts';
import { cloudsigmaDefinition } from '../../../src/providers/cloudsigma/cloudsigma-definition.ts';
import { emqxDefinition } from '../../../src/providers/emqx/emqx-definition.ts';
import type { CloudsigmaConfig } from '../../../src/providers/cloudsigma/cloudsigma-schemas.ts';
import { createCloudsigmaSimulator, type CloudsigmaSimulatorOptions } from '../../../src/providers/cloudsigma/cloudsigma-simulator.ts';
import type { ProviderAdapter } from '../../../src/providers/provider.ts';
import type { SimReply, SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { providerFailure } from '../../support/provider-failure.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const credentials = { username: 'ops@example.com', password: 'adapter-password-7c3e' };
const U1 = '3f1c9a2e-8b4d-4e6f-a1b2-c3d4e5f60718';

const harness = useProviderHarness();

function config(entry: Record<string, unknown>): CloudsigmaConfig {
  return cloudsigmaDefinition.configSchema.parse({ type: 'cloudsigma', credentials, ...entry });
}

async function simulated(
  options: CloudsigmaSimulatorOptions = {},
  entry: Record<string, unknown> = {},
): Promise<{ sim: SimulatorServer; adapter: ProviderAdapter }> {
  const sim = await harness.start(createCloudsigmaSimulator({ credentials, transitionMs: 3_600_000, ...options }));
  const adapter = createCloudsigmaAdapter('cs-test', config({ baseUrl: sim.url, ...entry }), harness.deps);
  return { sim, adapter };
}

const legacyEntry = { apiVersion: '1.0' };

/** A server that answers every request with `reply`: the provider misbehaving in ways the simulator does not. */
async function answering(reply: SimReply, entry: Record<string, unknown> = {}): Promise<ProviderAdapter> {
  const server = await harness.answering(reply);
  return createCloudsigmaAdapter('cs-test', config({ baseUrl: server.url, ...entry }), harness.deps);
}

const errorList = (status: number, type: string, message: string): SimReply => ({
  status,
  body: [{ error_point: null, error_type: type, error_message: message }],
});

describe('cloudsigma adapter: status', () => {
  it.each([
    ['running', 'running'],
    ['starting', 'starting'],
    ['stopping', 'stopping'],
    ['stopped', 'stopped'],
    ['paused', 'unknown'],
    ['unavailable', 'unknown'],
    ['new', 'unknown'],
  ])('API 2.0: maps %s to %s and keeps the raw string', async (raw, state) => {
    const { adapter } = await simulated({ resources: { [U1]: raw } });
    await expect(adapter.status(U1)).resolves.toEqual({ state, raw });
  });

  it.each([
    ['active', 'running'],
    ['stopped', 'stopped'],
    ['paused', 'unknown'],
    ['dumped', 'unknown'],
    ['dead', 'unknown'],
  ])('API 1.0: maps %s to %s and keeps the raw string', async (raw, state) => {
    const { adapter } = await simulated({ resources: { [U1]: raw } }, legacyEntry);
    await expect(adapter.status(U1)).resolves.toEqual({ state, raw });
  });

  it('maps either version’s strings without regard to case', () => {
    expect(cloudsigmaObservedState('RUNNING')).toBe('running');
    expect(cloudsigmaObservedState('Active')).toBe('running');
  });

  it('keeps 2.0’s trailing slash and puts the id in one encoded segment', async () => {
    const { sim, adapter } = await simulated({ resources: { 'a b/c': 'running' } });
    await expect(adapter.status('a b/c')).resolves.toMatchObject({ state: 'running' });
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /api/2.0/servers/a%20b%2Fc/ 200']);
  });

  it('reads 1.0’s info as key/value text', async () => {
    const { sim, adapter } = await simulated({ resources: { [U1]: 'active' } }, legacyEntry);
    await adapter.status(U1);
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET /api/2.0/servers/${U1}/info 200`]);
  });

  it.each([
    ['a status that is not a string', { status: 200, body: { uuid: U1, status: 3 } }, {}],
    ['an error list with 200', { status: 200, body: [{ error_type: 'backend', error_message: 'x' }] }, {}],
    ['JSON for 1.0', { status: 200, body: { status: 'active' } }, legacyEntry],
    ['key/value text without status for 1.0', { status: 200, body: 'name web\nserver u1\n' }, legacyEntry],
    ['an empty 200 for 1.0', { status: 200, body: '' }, legacyEntry],
    ['an HTML page for 1.0', { status: 200, body: '<html>status active</html>' }, legacyEntry],
  ])('takes %s for garbage', async (_what, reply, entry) => {
    const adapter = await answering(reply, entry);
    const error = await providerFailure(adapter.status(U1));
    expect(error.failure).toBe('transient');
    expect(error.message).toMatch(/malformed response body|unexpected response body/);
  });
});

describe('cloudsigma adapter: start and stop on API 2.0', () => {
  it('POSTs {} to action/?do=start and do=shutdown (the default stop), and takes 202 as accepted', async () => {
    const { sim, adapter } = await simulated({ resources: { u1: 'stopped', u2: 'running' } });
    await expect(adapter.start('u1')).resolves.toEqual({ kind: 'accepted', raw: 'start' });
    await expect(adapter.stop('u2')).resolves.toEqual({ kind: 'accepted', raw: 'shutdown' });
    expect(sim.requests.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'POST', path: '/api/2.0/servers/u1/action/?do=start', body: '{}', status: 202 },
      { method: 'POST', path: '/api/2.0/servers/u2/action/?do=shutdown', body: '{}', status: 202 },
    ]);
  });

  it('pulls the cord with do=stop when stopType is stop', async () => {
    const { sim, adapter } = await simulated({ resources: { u1: 'running' } }, { stopType: 'stop' });
    await expect(adapter.stop('u1')).resolves.toEqual({ kind: 'accepted', raw: 'stop' });
    expect(sim.requests[0]?.path).toBe('/api/2.0/servers/u1/action/?do=stop');
  });

  it.each([
    ['start', 'running', {}, 'started'],
    ['stop', 'stopped', {}, 'stopped'],
    ['stop', 'stopped', { stopType: 'stop' }, 'stopped'],
  ] as const)('takes 403 "Cannot %s guest in state" on a %s server as already (%o)', async (action, state, entry, raw) => {
    const { sim, adapter } = await simulated({ resources: { u1: state } }, entry);
    await expect(adapter[action]('u1')).resolves.toEqual({ kind: 'already', raw });
    expect(sim.requests[0]?.status).toBe(403);
    expect(sim.stateOf('u1')).toBe(state);
  });

  it.each([
    ['start', 'stopping'],
    ['start', 'paused'],
    ['stop', 'starting'],
    ['stop', 'unavailable'],
  ] as const)('takes a refusal to %s a %s server as conflict, naming the state', async (action, state) => {
    const { adapter } = await simulated({ resources: { u1: state } });
    const error = await providerFailure(adapter[action]('u1'));
    expect(error).toMatchObject({ failure: 'conflict', status: 403, code: 'permission', method: 'POST' });
    expect(error.message).toContain(`guest in state "${state}"`);
  });

  it('writes the refusal as one line naming source, method, path, type and message', async () => {
    const { adapter } = await simulated({ resources: { u1: 'stopping' } });
    const error = await providerFailure(adapter.start('u1'));
    expect(error.message).toBe(
      '[cs-test] 403 on POST /servers/u1/action/?do=start: permission Cannot start guest in state "stopping". Guest should be in state "stopped" (conflict)',
    );
  });

  it('does not take another verb’s state refusal for its own', async () => {
    const adapter = await answering(errorList(403, 'permission', 'Cannot stop guest in state "stopped"'));
    await expect(providerFailure(adapter.start('u1'))).resolves.toMatchObject({ failure: 'auth' });
  });

  it.each([
    ['another action', { status: 202, body: { action: 'stop', result: 'success', uuid: 'u1' } }],
    ['a result other than success', { status: 202, body: { action: 'start', result: 'failed', uuid: 'u1' } }],
    ['an empty 204', { status: 204 }],
    ['key/value text', { status: 200, body: 'status active\n' }],
  ])('takes %s for garbage, never for success', async (_what, reply) => {
    const adapter = await answering(reply);
    await expect(providerFailure(adapter.start('u1'))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('cloudsigma adapter: start and stop on API 1.0', () => {
  it('POSTs an empty text/plain body to /start and /shutdown and takes 200 pairs or 204 as accepted', async () => {
    const { sim, adapter } = await simulated({ resources: { u1: 'stopped', u2: 'active' } }, legacyEntry);
    await expect(adapter.start('u1')).resolves.toEqual({ kind: 'accepted', raw: 'active' });
    await expect(adapter.stop('u2')).resolves.toEqual({ kind: 'accepted' });
    expect(sim.requests.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'POST', path: '/api/2.0/servers/u1/start', body: '', status: 200 },
      { method: 'POST', path: '/api/2.0/servers/u2/shutdown', body: '', status: 204 },
    ]);
  });

  it('takes an empty 204 to start as accepted (the manual’s example)', async () => {
    const { adapter } = await simulated({ resources: { u1: 'stopped' }, switches: { legacyStartReply: 'empty' } }, legacyEntry);
    await expect(adapter.start('u1')).resolves.toEqual({ kind: 'accepted' });
  });

  it('sends /stop when stopType is stop', async () => {
    const { sim, adapter } = await simulated({ resources: { u1: 'active' } }, { ...legacyEntry, stopType: 'stop' });
    await adapter.stop('u1');
    expect(sim.requests[0]).toMatchObject({ path: '/api/2.0/servers/u1/stop', status: 204 });
  });

  it.each([
    ['busy', 409, 'conflict'],
    ['bad-request', 400, 'conflict'],
  ])('tolerates the %s reading of "already": %i is a conflict the status read settles', async (legacyAlready, status, expected) => {
    const { adapter } = await simulated({ resources: { u1: 'active' }, switches: { legacyAlready } }, legacyEntry);
    await expect(providerFailure(adapter.start('u1'))).resolves.toMatchObject({ failure: expected, status });
    await expect(adapter.status('u1')).resolves.toEqual({ state: 'running', raw: 'active' });
  });

  it('tolerates the no-op reading of "already": accepted, and the state is unchanged', async () => {
    const { sim, adapter } = await simulated({ resources: { u1: 'stopped' }, switches: { legacyAlready: 'no-op' } }, legacyEntry);
    await expect(adapter.stop('u1')).resolves.toEqual({ kind: 'accepted' });
    expect(sim.stateOf('u1')).toBe('stopped');
  });

  it('takes a 200 whose body is not key/value text for garbage', async () => {
    const adapter = await answering({ status: 200, body: { status: 'active' } }, legacyEntry);
    await expect(providerFailure(adapter.start('u1'))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('cloudsigma adapter: errors', () => {
  it.each([
    [400, 'validation', 'invalid'],
    [400, 'concurrency', 'conflict'],
    [401, 'permission', 'auth'],
    [402, 'billing', 'auth'],
    [402, 'payment', 'auth'],
    [403, 'permission', 'auth'],
    [404, 'notexist', 'not-found'],
    [405, 'validation', 'invalid'],
    [406, 'validation', 'invalid'],
    [409, 'concurrency', 'conflict'],
    [429, 'permission', 'throttled'],
    [500, 'backend', 'transient'],
    [500, 'notexist', 'transient'],
    [503, 'database', 'transient'],
    [418, 'something-new', 'invalid'],
  ])('API 2.0: maps %i %s to %s', async (status, type, expected) => {
    const adapter = await answering(errorList(status, type, `simulated ${type}`));
    await expect(providerFailure(adapter.status('u1'))).resolves.toMatchObject({ failure: expected, status, code: type });
    await expect(providerFailure(adapter.start('u1'))).resolves.toMatchObject({ failure: expected, status, code: type });
  });

  it.each([
    ['GET', 400, 'invalid'],
    ['POST', 400, 'conflict'],
    ['GET', 401, 'auth'],
    ['GET', 403, 'auth'],
    ['POST', 404, 'not-found'],
    ['POST', 405, 'invalid'],
    ['POST', 409, 'conflict'],
    ['GET', 409, 'conflict'],
    ['GET', 429, 'throttled'],
    ['GET', 500, 'transient'],
    ['POST', 504, 'transient'],
  ])('API 1.0: maps %s %i to %s, with the text as detail', async (method, status, expected) => {
    const adapter = await answering({ status, body: `simulated ${status}\n` }, legacyEntry);
    const error = await providerFailure(method === 'GET' ? adapter.status('u1') : adapter.start('u1'));
    expect(error).toMatchObject({ failure: expected, status, code: undefined });
    expect(error.message).toContain(`: simulated ${status} (${expected})`);
  });

  it('takes a redirect (a path without its trailing slash) as our mistake', async () => {
    const adapter = await answering({ status: 301, headers: { location: '/servers/u1/' } });
    await expect(providerFailure(adapter.status('u1'))).resolves.toMatchObject({ failure: 'invalid', status: 301 });
  });

  it('reads Retry-After in seconds from a 429', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { adapter } = await simulated({ clock, requestsPerMinute: 2, resources: { u1: 'running' }, switches: { retryAfter: true } });
    await adapter.status('u1');
    clock.advance(20_000);
    await adapter.status('u1');
    const error = await providerFailure(adapter.status('u1'));
    expect(error).toMatchObject({ failure: 'throttled', status: 429, retryAfterMs: 40_000 });
  });

  it('has no retryAfterMs when the 429 comes without Retry-After', async () => {
    const { adapter } = await simulated({ requestsPerMinute: 1, resources: { u1: 'stopped' } });
    await adapter.start('u1');
    await expect(providerFailure(adapter.start('u1'))).resolves.toMatchObject({ failure: 'throttled', retryAfterMs: undefined });
  });

  it('masks credentials a provider echoes in an error', async () => {
    const adapter = await answering(errorList(401, 'permission', `unknown user ${credentials.username} with ${credentials.password}`));
    const error = await providerFailure(adapter.status('u1'));
    expect(error.message).toBe('[cs-test] 401 on GET /servers/u1/: permission unknown user *** with *** (auth)');
  });

  it('shows a body that is not an error list cut short', async () => {
    const adapter = await answering({ status: 502, body: `<html>${'bad gateway '.repeat(50)}</html>` });
    const error = await providerFailure(adapter.status('u1'));
    expect(error).toMatchObject({ failure: 'transient', code: undefined });
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toContain('<html>bad gateway');
  });

  it('reports a refused connection as transient', async () => {
    const { sim, adapter } = await simulated({ resources: { u1: 'running' } });
    await sim.close();
    await expect(providerFailure(adapter.status('u1'))).resolves.toMatchObject({ failure: 'transient', status: undefined });
  });
});

describe('cloudsigma adapter: endpoint, limits, config and definition', () => {
  const basic = basicAuth(credentials.username, credentials.password);

  it('calls https://{location}.cloudsigma.com/api/2.0/ with Basic auth and JSON', async () => {
    const mock = harness.mockAgent();
    mock
      .get('https://fra.cloudsigma.com')
      .intercept({ path: `/api/2.0/servers/${U1}/`, method: 'GET', headers: { authorization: basic, accept: 'application/json' } })
      .reply(200, { uuid: U1, status: 'running', runtime: { nics: [] } });
    mock
      .get('https://fra.cloudsigma.com')
      .intercept({ path: `/api/2.0/servers/${U1}/action/?do=start`, method: 'POST', body: '{}', headers: { authorization: basic, 'content-type': 'application/json' } })
      .reply(202, { action: 'start', result: 'success', uuid: U1 });
    const adapter = cloudsigmaDefinition.create('cs', config({ location: 'fra' }), { logger: harness.logger, dispatcher: mock });
    await expect(adapter.status(U1)).resolves.toEqual({ state: 'running', raw: 'running' });
    await expect(adapter.start(U1)).resolves.toEqual({ kind: 'accepted', raw: 'start' });
  });

  it('calls https://api.{location}.cloudsigma.com with text/plain for API 1.0', async () => {
    const mock = harness.mockAgent();
    mock
      .get('https://api.lvs.cloudsigma.com')
      .intercept({ path: `/servers/${U1}/info`, method: 'GET', headers: { authorization: basic, accept: 'text/plain' } })
      .reply(200, `status stopped\nname db\nserver ${U1}\n`);
    mock
      .get('https://api.lvs.cloudsigma.com')
      .intercept({ path: `/servers/${U1}/start`, method: 'POST', headers: { authorization: basic, 'content-type': 'text/plain' } })
      .reply(204, '');
    const adapter = cloudsigmaDefinition.create('cs', config({ location: 'lvs', apiVersion: '1.0' }), { logger: harness.logger, dispatcher: mock });
    await expect(adapter.status(U1)).resolves.toEqual({ state: 'stopped', raw: 'stopped' });
    await expect(adapter.start(U1)).resolves.toEqual({ kind: 'accepted' });
  });

  it('prefers baseUrl over location', async () => {
    const mock = harness.mockAgent();
    mock.get('https://proxy.example.com').intercept({ path: `/cs/api/2.0/servers/${U1}/`, method: 'GET' }).reply(200, { status: 'stopped' });
    const adapter = cloudsigmaDefinition.create('cs', config({ location: 'zrh', baseUrl: 'https://proxy.example.com/cs/api/2.0/' }), { logger: harness.logger, dispatcher: mock });
    await expect(adapter.status(U1)).resolves.toMatchObject({ state: 'stopped' });
  });

  it('declares the documented limits by default, scoped per provider entry', () => {
    const adapter = createCloudsigmaAdapter('cs', config({ location: 'zrh' }), harness.deps);
    expect(adapter.limits).toEqual({ status: { max: 10_000, perMs: 60_000 }, all: { max: 10_000, perMs: 60_000 } });
    expect(adapter.limitScope).toBe('provider');
  });

  it('lets the config override single operations and the scope', () => {
    const entry = { location: 'zrh', limits: { start: { max: 1, per: '10m' }, all: { max: 100, per: '1m' } }, limitScope: 'resource' };
    const adapter = createCloudsigmaAdapter('cs', config(entry), harness.deps);
    expect(adapter.limits).toEqual({ start: { max: 1, perMs: 600_000 }, status: { max: 10_000, perMs: 60_000 }, all: { max: 100, perMs: 60_000 } });
    expect(adapter.limitScope).toBe('resource');
  });

  it('declares transitional states for 2.0 only', () => {
    const adapter = (entry: Record<string, unknown>) => createCloudsigmaAdapter('cs', config({ location: 'zrh', ...entry }), harness.deps);
    expect(adapter({}).capabilities).toEqual({ reportsTransitions: true, batchStatus: false });
    expect(adapter(legacyEntry).capabilities).toEqual({ reportsTransitions: false, batchStatus: false });
  });

  it('defaults to API 2.0 and ACPI shutdown, and reads an unquoted YAML version number', () => {
    expect(config({ location: 'zrh' })).toMatchObject({ apiVersion: '2.0', stopType: 'shutdown', timeout: 10_000 });
    expect(config({ location: 'zrh', apiVersion: 2 }).apiVersion).toBe('2.0');
    expect(config({ location: 'zrh', apiVersion: 1 }).apiVersion).toBe('1.0');
  });

  it.each([
    ['neither location nor baseUrl', {}, 'location'],
    ['an unknown API version', { location: 'zrh', apiVersion: '3.0' }, 'apiVersion'],
    ['a location that is not a code', { location: 'ZRH.example' }, 'location'],
    ['an unknown stop type', { location: 'zrh', stopType: 'hibernate' }, 'stopType'],
    ['an unknown key', { location: 'zrh', region: 'eu' }, ''],
    ['emqx-style credentials', { location: 'zrh', credentials: { key: 'k', secret: 's' } }, 'credentials'],
  ])('refuses %s', (_what, entry, path) => {
    const result = cloudsigmaDefinition.configSchema.safeParse({ type: 'cloudsigma', credentials, ...entry });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it('loads through the config loader next to other providers, YAML version numbers and ${VAR}s included', () => {
    const yaml = [
      'providers:',
      '  cs:',
      '    type: cloudsigma',
      '    apiVersion: 1.0',
      '    location: zrh',
      '    stopType: stop',
      '    credentials:',
      '      username: ${CS_USER}',
      '      password: ${CS_PASSWORD}',
      '  broker: { type: emqx, credentials: { key: k, secret: s } }',
    ].join('\n');
    const definitions = [emqxDefinition, cloudsigmaDefinition];
    const loaded = loadConfigText(yaml, { file: 'test.yaml', env: { CS_USER: 'ops@example.com', CS_PASSWORD: 'pw-1' }, definitions });
    expect(loaded.config.providers.cs).toMatchObject({ type: 'cloudsigma', apiVersion: '1.0', location: 'zrh', stopType: 'stop', credentials: { username: 'ops@example.com' } });
    const missing = yaml.replace('    location: zrh\n', '');
    expect(() => loadConfigText(missing, { file: 'test.yaml', env: { CS_USER: 'u', CS_PASSWORD: 'p' }, definitions })).toThrow(
      /providers\.cs\.location: set location \(e\.g\. zrh\) or baseUrl/,
    );
  });

  it('names its secrets, states and scope', () => {
    expect(cloudsigmaDefinition).toMatchObject({
      type: 'cloudsigma',
      defaultLimitScope: 'provider',
      capabilities: { reportsTransitions: true, batchStatus: false },
      rawStates: { running: 'running', stopped: 'stopped' },
      secretPaths: ['credentials.username', 'credentials.password'],
    });
  });
});
