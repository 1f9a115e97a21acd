import { describe, expect, it } from 'vitest';
import type { MockAgent } from 'undici';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { createUpcloudAdapter, upcloudErrorInfo, upcloudObservedState, upcloudStateInMessage } from '../../../src/providers/upcloud/upcloud-adapter.ts';
import { upcloudDefinition } from '../../../src/providers/upcloud/upcloud-definition.ts';
import { createUpcloudSimulator, type UpcloudSimulatorOptions } from '../../../src/providers/upcloud/upcloud-simulator.ts';
import type { UpcloudConfig } from '../../../src/providers/upcloud/upcloud-schemas.ts';
import type { ProviderAdapter } from '../../../src/providers/provider.ts';
import type { SimReply, SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { providerFailure } from '../../support/provider-failure.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const token = 'adapter-token-3f9c1a';
const basic = { username: 'adapter-user-7d', password: 'adapter-password-e41b' };
const S1 = '00ff2a9e-2e38-449e-8dee-7986a127d035';

const harness = useProviderHarness();

function config(entry: Record<string, unknown> = {}): UpcloudConfig {
  return upcloudDefinition.configSchema.parse({ type: 'upcloud', credentials: { token }, ...entry });
}

async function simulated(options: UpcloudSimulatorOptions = {}, entry: Record<string, unknown> = {}): Promise<{ sim: SimulatorServer; adapter: ProviderAdapter }> {
  const sim = await harness.start(createUpcloudSimulator({ credentials: { token, ...basic }, transitionMs: 3_600_000, ...options }));
  const adapter = createUpcloudAdapter('upcloud-test', config({ baseUrl: sim.url, ...entry }), harness.deps);
  return { sim, adapter };
}

/** A server that answers every request with `reply`: UpCloud answers the simulator does not play. */
async function answering(reply: SimReply): Promise<ProviderAdapter> {
  const server = await harness.answering(reply);
  return createUpcloudAdapter('upcloud-test', config({ baseUrl: server.url }), harness.deps);
}

const classic = (status: number, code: string, message: string): SimReply => ({ status, body: { error: { error_code: code, error_message: message } } });
const problem = (status: number, code: string, title: string): SimReply => ({
  status,
  body: { type: `https://developers.upcloud.com/1.3/errors#ERROR_${code}`, title, status, correlation_id: '01J0ABCD' },
  headers: { 'content-type': 'application/problem+json' },
});

describe('upcloud adapter: status', () => {
  it.each([
    ['started', 'running'],
    ['stopped', 'stopped'],
    ['maintenance', 'unknown'],
    ['error', 'unknown'],
    ['STARTED', 'running'],
    ['starting', 'unknown'],
  ])('maps %s to %s and keeps the raw string', async (raw, state) => {
    const { adapter } = await simulated({ resources: { [S1]: raw } });
    await expect(adapter.status(S1)).resolves.toEqual({ state, raw });
    expect(upcloudObservedState(raw)).toBe(state);
  });

  it('reads GET /server/{uuid} under /1.3, the id as one encoded segment', async () => {
    const { sim, adapter } = await simulated({ resources: { 'a b/c': 'started' } });
    await expect(adapter.status('a b/c')).resolves.toMatchObject({ state: 'running' });
    expect(sim.requests[0]).toMatchObject({ method: 'GET', path: '/1.3/server/a%20b%2Fc', body: '' });
  });

  it.each([
    ['no server envelope', { uuid: S1, state: 'started' }],
    ['a state that is not a string', { server: { uuid: S1, state: 1 } }],
    ['an empty state', { server: { uuid: S1, state: '' } }],
  ])('takes a body with %s for garbage', async (_what, body) => {
    const adapter = await answering({ status: 200, body });
    const error = await providerFailure(adapter.status(S1));
    expect(error.failure).toBe('transient');
    expect(error.message).toContain('unexpected response body');
  });
});

describe('upcloud adapter: start and stop', () => {
  it('starts with {"server": {}} and takes the 200 as accepted', async () => {
    const { sim, adapter } = await simulated({ resources: { [S1]: 'stopped' } });
    await expect(adapter.start(S1)).resolves.toEqual({ kind: 'accepted', raw: 'stopped' });
    expect(sim.requests.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'POST', path: `/1.3/server/${S1}/start`, body: '{"server":{}}', status: 200 },
    ]);
  });

  it('stops soft by default, the timeout a string of seconds', async () => {
    const { sim, adapter } = await simulated({ resources: { [S1]: 'started' } });
    await adapter.stop(S1);
    expect(JSON.parse(sim.requests[0]!.body)).toEqual({ stop_server: { stop_type: 'soft', timeout: '60' } });
  });

  it.each([
    [{ softStopTimeout: '2m' }, { stop_type: 'soft', timeout: '120' }],
    [{ softStopTimeout: '1s' }, { stop_type: 'soft', timeout: '1' }],
    [{ stopType: 'hard' }, { stop_type: 'hard' }],
    [{ stopType: 'hard', softStopTimeout: '5m' }, { stop_type: 'hard' }],
  ])('sends the configured stop %j as %j', async (entry, stopServer) => {
    const { sim, adapter } = await simulated({ resources: { [S1]: 'started' } }, entry);
    await expect(adapter.stop(S1)).resolves.toMatchObject({ kind: 'accepted' });
    expect(JSON.parse(sim.requests[0]!.body)).toEqual({ stop_server: stopServer });
  });

  it.each([
    ['before', 'started'],
    ['after', 'stopped'],
  ])('accepts a stop whatever state its answer shows (actionBody %s)', async (actionBody, raw) => {
    const { sim, adapter } = await simulated({ resources: { [S1]: 'started' }, transitionMs: 40, switches: { actionBody } });
    await expect(adapter.stop(S1)).resolves.toEqual({ kind: 'accepted', raw });
    await sim.waitForState(S1, 'stopped');
    await expect(adapter.status(S1)).resolves.toEqual({ state: 'stopped', raw: 'stopped' });
  });

  it.each([
    ['an empty 204', { status: 204 }],
    ['an HTML page', { status: 200, body: '<html>ok</html>' }],
    ['a body without a server', { status: 200, body: { stop_server: { stop_type: 'soft' } } }],
  ])('takes %s for garbage, never for success', async (_what, reply) => {
    const adapter = await answering(reply);
    await expect(providerFailure(adapter.stop(S1))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('upcloud adapter: SERVER_STATE_ILLEGAL', () => {
  it.each([
    ['classic', 'start', 'started'],
    ['classic', 'stop', 'stopped'],
    ['problem', 'start', 'started'],
    ['problem', 'stop', 'stopped'],
  ] as const)('is a conflict when the %s message does not name the state (%s on %s)', async (errorFormat, action, state) => {
    const { sim, adapter } = await simulated({ resources: { [S1]: state }, switches: { errorFormat } });
    const error = await providerFailure(adapter[action](S1));
    expect(error).toMatchObject({ failure: 'conflict', status: 409, code: 'SERVER_STATE_ILLEGAL', method: 'POST', path: `/server/${S1}/${action}` });
    expect(sim.stateOf(S1)).toBe(state);
  });

  it.each([
    ['classic', 'start', 'started'],
    ['classic', 'stop', 'stopped'],
    ['problem', 'start', 'started'],
    ['problem', 'stop', 'stopped'],
  ] as const)('is already-in-state when the %s message names the requested state (%s on %s)', async (errorFormat, action, state) => {
    const { adapter } = await simulated({ resources: { [S1]: state }, switches: { errorFormat, illegalStateMessage: 'state' } });
    await expect(adapter[action](S1)).resolves.toEqual({ kind: 'already', raw: state });
  });

  it.each([
    ['start', 'maintenance'],
    ['stop', 'maintenance'],
    ['stop', 'error'],
  ] as const)('is a conflict when the message names another state (%s in %s)', async (action, state) => {
    const { adapter } = await simulated({ resources: { [S1]: state }, switches: { illegalStateMessage: 'state' } });
    const error = await providerFailure(adapter[action](S1));
    expect(error.failure).toBe('conflict');
    expect(error.message).toContain(`in state '${state}'`);
  });

  it('names the source, method and path, code and message, and the class', async () => {
    const adapter = await answering(classic(409, 'SERVER_STATE_ILLEGAL', 'The server is in a state in which it cannot be used.'));
    const error = await providerFailure(adapter.start(S1));
    expect(error.message).toBe(`[upcloud-test] 409 on POST /server/${S1}/start: SERVER_STATE_ILLEGAL The server is in a state in which it cannot be used. (conflict)`);
  });

  it.each([
    ["The operation is not allowed while the server 00ff is in state 'started'.", 'started'],
    ['Server is in state "stopped"', 'stopped'],
    ['The server is already stopped.', 'stopped'],
    ['The server is in maintenance.', undefined],
    [undefined, undefined],
  ])('reads the state from %j', (message, state) => {
    expect(upcloudStateInMessage(message)).toBe(state);
  });
});

describe('upcloud adapter: errors', () => {
  it.each([
    [401, 'AUTHENTICATION_FAILED', 'auth'],
    [403, 'SERVER_FORBIDDEN', 'auth'],
    [404, 'SERVER_NOT_FOUND', 'not-found'],
    [402, 'INSUFFICIENT_CREDITS', 'invalid'],
    [409, 'SERVER_RESOURCES_UNAVAILABLE', 'conflict'],
    [400, 'TIMEOUT_INVALID', 'invalid'],
    [429, 'TOO_MANY_REQUESTS', 'throttled'],
    [500, 'INTERNAL_ERROR', 'transient'],
    [503, 'SERVICE_UNAVAILABLE', 'transient'],
  ])('maps %i %s to %s, in both envelopes', async (status, code, expected) => {
    for (const reply of [classic(status, code, 'what went wrong'), problem(status, code, 'what went wrong')]) {
      const adapter = await answering(reply);
      const error = await providerFailure(adapter.start(S1));
      expect(error).toMatchObject({ failure: expected, status, code });
      expect(error.message).toContain(`${code} what went wrong`);
    }
  });

  it('sorts by the code where the status alone would mislead', async () => {
    const adapter = await answering(classic(400, 'SERVER_NOT_FOUND', 'The server does not exist.'));
    await expect(providerFailure(adapter.status(S1))).resolves.toMatchObject({ failure: 'not-found', status: 400 });
  });

  it.each([
    [429, 'SERVER_STATE_ILLEGAL', 'throttled'],
    [503, 'SERVER_NOT_FOUND', 'transient'],
  ])('takes a %i for what its status says, whatever its code (%s)', async (status, code, expected) => {
    const adapter = await answering(classic(status, code, 'odd'));
    await expect(providerFailure(adapter.start(S1))).resolves.toMatchObject({ failure: expected, code });
  });

  it('reads the envelope the Content-Type names', () => {
    const problemBody = JSON.stringify({ type: 'https://developers.upcloud.com/1.3/errors#ERROR_SERVER_FORBIDDEN', title: 'Forbidden', status: 403 });
    const classicBody = JSON.stringify({ error: { error_code: 'SERVER_FORBIDDEN', error_message: 'Forbidden' } });
    expect(upcloudErrorInfo('application/problem+json; charset=utf-8', problemBody)).toEqual({ code: 'SERVER_FORBIDDEN', message: 'Forbidden' });
    expect(upcloudErrorInfo('application/json', classicBody)).toEqual({ code: 'SERVER_FORBIDDEN', message: 'Forbidden' });
    expect(upcloudErrorInfo('application/json', problemBody)).toBeUndefined();
    expect(upcloudErrorInfo('application/problem+json', classicBody)).toBeUndefined();
    expect(upcloudErrorInfo('application/problem+json', JSON.stringify({ type: 'QUOTA_EXCEEDED', title: 'No' }))).toEqual({ code: 'QUOTA_EXCEEDED', message: 'No' });
  });

  it('reads Retry-After from a 429 of an undocumented limit', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { adapter } = await simulated({ clock, resources: { [S1]: 'started' }, switches: { requestsPerMinute: '2', retryAfter: true } });
    await adapter.status(S1);
    clock.advance(20_000);
    await adapter.status(S1);
    await expect(providerFailure(adapter.status(S1))).resolves.toMatchObject({ failure: 'throttled', status: 429, retryAfterMs: 40_000 });
  });

  it('has no retryAfterMs when a 429 comes without Retry-After', async () => {
    const { adapter } = await simulated({ resources: { [S1]: 'started' }, switches: { requestsPerMinute: '1', errorFormat: 'problem' } });
    await adapter.status(S1);
    await expect(providerFailure(adapter.stop(S1))).resolves.toMatchObject({ failure: 'throttled', code: 'TOO_MANY_REQUESTS', retryAfterMs: undefined });
  });

  it('masks credentials a provider echoes in an error', async () => {
    const adapter = await answering(classic(401, 'AUTHENTICATION_FAILED', `bad token ${token}`));
    const error = await providerFailure(adapter.status(S1));
    expect(error.message).toBe(`[upcloud-test] 401 on GET /server/${S1}: AUTHENTICATION_FAILED bad token *** (auth)`);
  });

  it('shows a body of neither shape cut short', async () => {
    const adapter = await answering({ status: 502, body: `<html>${'bad gateway '.repeat(50)}</html>` });
    const error = await providerFailure(adapter.status(S1));
    expect(error).toMatchObject({ failure: 'transient', code: undefined });
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toContain('<html>bad gateway');
  });

  it('reports a refused connection as transient', async () => {
    const { sim, adapter } = await simulated({ resources: { [S1]: 'started' } });
    await sim.close();
    await expect(providerFailure(adapter.status(S1))).resolves.toMatchObject({ failure: 'transient', status: undefined });
  });
});

describe('upcloud adapter: auth, limits and definition', () => {
  function publicEndpoint(authorization: string): MockAgent {
    const mock = harness.mockAgent();
    mock
      .get('https://api.upcloud.com')
      .intercept({ path: `/1.3/server/${S1}`, method: 'GET', headers: { authorization } })
      .reply(200, { server: { uuid: S1, state: 'stopped' } });
    return mock;
  }

  it('calls the public endpoint with a Bearer token when no baseUrl is set', async () => {
    const adapter = upcloudDefinition.create('upcloud', config(), { logger: harness.logger, dispatcher: publicEndpoint(`Bearer ${token}`) });
    await expect(adapter.status(S1)).resolves.toEqual({ state: 'stopped', raw: 'stopped' });
  });

  it('uses HTTP Basic for a sub-account', async () => {
    const authorization = basicAuth(basic.username, basic.password);
    const adapter = upcloudDefinition.create('upcloud', config({ credentials: basic }), { logger: harness.logger, dispatcher: publicEndpoint(authorization) });
    await expect(adapter.status(S1)).resolves.toEqual({ state: 'stopped', raw: 'stopped' });
  });

  it('declares no limits by default, scoped per provider entry, and takes the config’s', () => {
    const plain = createUpcloudAdapter('u', config(), harness.deps);
    expect(plain.limits).toEqual({});
    expect(plain.limitScope).toBe('provider');
    const limited = createUpcloudAdapter('u', config({ limits: { all: { max: 100, per: '1m' } }, limitScope: 'resource' }), harness.deps);
    expect(limited.limits).toEqual({ all: { max: 100, perMs: 60_000 } });
    expect(limited.limitScope).toBe('resource');
  });

  it('fills the documented defaults', () => {
    expect(config()).toMatchObject({ type: 'upcloud', credentials: { token }, stopType: 'soft', softStopTimeout: 60_000, timeout: 10_000 });
    expect(config({ credentials: basic, stopType: 'hard', softStopTimeout: '600s' })).toMatchObject({ credentials: basic, stopType: 'hard', softStopTimeout: 600_000 });
  });

  it.each([
    ['both credential kinds', { credentials: { token, ...basic } }],
    ['a username without password', { credentials: { username: 'u' } }],
    ['an empty token', { credentials: { token: '' } }],
    ['an unknown stop type', { stopType: 'acpi' }],
    ['a timeout under 1s', { softStopTimeout: '0s' }],
    ['a timeout over 600s', { softStopTimeout: '601s' }],
    ['a timeout in part seconds', { softStopTimeout: '1500ms' }],
    ['an unknown key', { zone: 'fi-hel1' }],
  ])('refuses %s', (_what, entry) => {
    expect(upcloudDefinition.configSchema.safeParse({ type: 'upcloud', credentials: { token }, ...entry }).success).toBe(false);
  });

  it('names its secrets, states and capabilities', () => {
    expect(upcloudDefinition).toMatchObject({
      type: 'upcloud',
      defaultBaseUrl: 'https://api.upcloud.com/1.3',
      defaultLimits: {},
      defaultLimitScope: 'provider',
      capabilities: { reportsTransitions: false, batchStatus: false },
      rawStates: { running: 'started', stopped: 'stopped' },
      secretPaths: ['credentials.token', 'credentials.username', 'credentials.password'],
    });
  });

  it('loads through the config loader, and keeps a bad credential out of its errors', () => {
    const text = (credentials: string) => `
providers:
  hel:
    type: upcloud
    credentials: ${credentials}
    stopType: hard
schedules:
  office: { timezone: Europe/Helsinki, running: ["Mon-Fri 08:00-18:00"] }
targets:
  - { name: web, provider: hel, resource: ${S1}, schedule: office }
`;
    const loaded = loadConfigText(text('{ token: "${UPCLOUD_TOKEN}" }'), { file: 'u.yaml', env: { UPCLOUD_TOKEN: token }, definitions: [upcloudDefinition] });
    expect(loaded.config.providers.hel).toMatchObject({ type: 'upcloud', credentials: { token }, stopType: 'hard', softStopTimeout: 60_000 });
    expect(loaded.targets[0]).toMatchObject({ name: 'web', providerType: 'upcloud', resource: S1 });
    const refused = (() => {
      try {
        loadConfigText(text(`{ token: ${token}, password: ${basic.password} }`), { file: 'u.yaml', env: {}, definitions: [upcloudDefinition] });
      } catch (error) {
        return String(error);
      }
      return 'loaded';
    })();
    expect(refused).toContain('providers.hel.credentials');
    expect(refused).not.toContain(token);
    expect(refused).not.toContain(basic.password);
  });
});
