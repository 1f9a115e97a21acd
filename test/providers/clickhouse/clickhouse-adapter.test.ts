import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { clickhouseObservedState, createClickhouseAdapter, currentStateIn, throttleWaitMs, type ClickhouseAdapter } from '../../../src/providers/clickhouse/clickhouse-adapter.ts';
import { clickhouseDefinition } from '../../../src/providers/clickhouse/clickhouse-definition.ts';
import type { ClickhouseConfig } from '../../../src/providers/clickhouse/clickhouse-schemas.ts';
import { createClickhouseSimulator, type ClickhouseSimulatorOptions } from '../../../src/providers/clickhouse/clickhouse-simulator.ts';
import type { SimReply, SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { providerFailure } from '../../support/provider-failure.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const ORG = '5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b';
const credentials = { keyId: 'adapter-key-id-5d2c', keySecret: 'adapter-key-secret-8e1f' };
const servicePath = (id: string, tail = '') => `/v1/organizations/${ORG}/services/${id}${tail}`;

const harness = useProviderHarness();

function config(entry: Record<string, unknown>): ClickhouseConfig {
  return clickhouseDefinition.configSchema.parse({ type: 'clickhouse', organizationId: ORG, credentials, ...entry });
}

async function simulated(options: ClickhouseSimulatorOptions = {}): Promise<{ sim: SimulatorServer; adapter: ClickhouseAdapter }> {
  const sim = await harness.start(createClickhouseSimulator({ credentials: { ...credentials, organizationId: ORG }, transitionMs: 3_600_000, ...options }));
  const adapter = createClickhouseAdapter('ch-test', config({ baseUrl: sim.url }), harness.deps);
  return { sim, adapter };
}

/** ClickHouse misbehaving in ways the simulator does not: each request gets the next reply (the last one repeats). */
async function answering(...replies: SimReply[]): Promise<{ server: SimulatorServer; adapter: ClickhouseAdapter }> {
  const server = await harness.answering(...replies);
  return { server, adapter: createClickhouseAdapter('ch-test', config({ baseUrl: server.url }), harness.deps) };
}

const refusal = (status: number, error: string, headers?: Record<string, string>): SimReply => ({
  status,
  body: { status, error, requestId: '0a1b2c3d-0000-4000-8000-000000000000' },
  ...(headers ? { headers } : {}),
});

describe('clickhouse adapter: status', () => {
  it.each([
    ['running', 'running'],
    ['idle', 'running'],
    ['partially_running', 'running'],
    ['degraded', 'running'],
    ['starting', 'starting'],
    ['awaking', 'starting'],
    ['provisioning', 'starting'],
    ['stopping', 'stopping'],
    ['stopped', 'stopped'],
    ['terminating', 'unknown'],
    ['terminated', 'unknown'],
    ['softdeleting', 'unknown'],
    ['softdeleted', 'unknown'],
    ['failed', 'unknown'],
    ['upgrading', 'unknown'],
  ])('maps %s to %s and keeps the raw string', async (raw, state) => {
    const { adapter } = await simulated({ resources: { s1: raw } });
    await expect(adapter.status('s1')).resolves.toEqual({ state, raw });
  });

  it('reads states case-insensitively', () => {
    expect(clickhouseObservedState('IDLE')).toBe('running');
  });

  it('puts the organization and the service id in the path as encoded segments', async () => {
    const { sim, adapter } = await simulated({ resources: { 'a b/c': 'running' } });
    await expect(adapter.status('a b/c')).resolves.toMatchObject({ state: 'running' });
    expect(sim.requests[0]).toMatchObject({ method: 'GET', path: servicePath('a%20b%2Fc'), body: '' });
  });

  it.each([
    ['a service without a state', { status: 200, requestId: 'r', result: { id: 's1' } }],
    ['a numeric state', { status: 200, requestId: 'r', result: { id: 's1', state: 3 } }],
    ['a bare service without the envelope', { id: 's1', state: 'running' }],
    ['an error envelope with status 200', { status: 500, error: 'INTERNAL: oops', requestId: 'r' }],
  ])('takes %s for garbage', async (_what, body) => {
    const { adapter } = await answering({ status: 200, body });
    const error = await providerFailure(adapter.status('s1'));
    expect(error.failure).toBe('transient');
    expect(error.message).toContain('unexpected response body');
  });
});

describe('clickhouse adapter: start and stop', () => {
  it('sends PATCH .../state with a JSON command and takes 200 as accepted', async () => {
    const { sim, adapter } = await simulated({ resources: { s1: 'stopped', s2: 'running' } });
    await expect(adapter.start('s1')).resolves.toEqual({ kind: 'accepted', raw: 'starting' });
    await expect(adapter.stop('s2')).resolves.toEqual({ kind: 'accepted', raw: 'stopping' });
    expect(sim.requests.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'PATCH', path: servicePath('s1', '/state'), body: '{"command":"start"}', status: 200 },
      { method: 'PATCH', path: servicePath('s2', '/state'), body: '{"command":"stop"}', status: 200 },
    ]);
  });

  it('takes the answer as accepted whatever state it still shows', async () => {
    const { adapter } = await simulated({ resources: { s1: 'stopped' }, switches: { actionResult: 'previous' } });
    await expect(adapter.start('s1')).resolves.toEqual({ kind: 'accepted', raw: 'stopped' });
  });

  it.each([
    ['start', 'running', 'running'],
    ['start', 'partially_running', 'partially_running'],
    ['start', 'degraded', 'degraded'],
    ['start', 'idle', 'idle'],
    ['stop', 'stopped', 'stopped'],
  ])('reports %s on a %s service as already, from the 409', async (action, state, raw) => {
    const { sim, adapter } = await simulated({ resources: { s1: state } });
    await expect(adapter[action as 'start' | 'stop']('s1')).resolves.toEqual({ kind: 'already', raw });
    expect(sim.stateOf('s1')).toBe(state);
  });

  it.each([
    ['start', 'stopping'],
    ['start', 'starting'],
    ['start', 'awaking'],
    ['stop', 'starting'],
    ['stop', 'stopping'],
    ['stop', 'terminated'],
  ])('reports %s on a %s service as conflict', async (action, state) => {
    const { adapter } = await simulated({ resources: { s1: state } });
    const error = await providerFailure(adapter[action as 'start' | 'stop']('s1'));
    expect(error).toMatchObject({ failure: 'conflict', status: 409, code: 'CONFLICT' });
    expect(error.message).toContain(`Current state: '${state}'`);
  });

  it('wakes an idle service on start when ClickHouse does that', async () => {
    const { adapter } = await simulated({ resources: { s1: 'idle' }, switches: { idleStart: 'wakes' } });
    await expect(adapter.start('s1')).resolves.toEqual({ kind: 'accepted', raw: 'awaking' });
  });

  it('reads an unquoted current state in a 424 as already', async () => {
    const { adapter } = await answering(refusal(424, 'FAILED_DEPENDENCY: nothing to stop. Current state: stopped'));
    await expect(adapter.stop('s1')).resolves.toEqual({ kind: 'already', raw: 'stopped' });
  });

  it('names status, method, path, code, message and request id in its errors', async () => {
    const { adapter } = await answering(refusal(409, "CONFLICT: Only instance in one of the following states: 'stopped' can be started. Current state: 'stopping'"));
    const error = await providerFailure(adapter.start('s1'));
    expect(error.message).toBe(
      `[ch-test] 409 on PATCH ${servicePath('s1', '/state')}: CONFLICT Only instance in one of the following states: 'stopped' can be started. Current state: 'stopping' (request 0a1b2c3d-0000-4000-8000-000000000000) (conflict)`,
    );
  });

  it.each([
    ['an HTML page', { status: 200, body: '<html>ok</html>' }],
    ['an empty 204', { status: 204 }],
    ['a result without a state', { status: 200, body: { status: 200, requestId: 'r', result: {} } }],
  ])('takes %s for garbage, never for success', async (_what, reply) => {
    const { adapter } = await answering(reply);
    await expect(providerFailure(adapter.stop('s1'))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('clickhouse adapter: stopping an idle service', () => {
  it.each([
    ['failed-dependency', 424, 'FAILED_DEPENDENCY'],
    ['conflict', 409, 'CONFLICT'],
  ])('wakes it when the stop is refused (idleStop=%s) and reports a conflict; the next stop takes it', async (idleStop, status, code) => {
    const { sim, adapter } = await simulated({ resources: { s1: 'idle' }, switches: { idleStop }, transitionMs: 40 });
    const error = await providerFailure(adapter.stop('s1'));
    expect(error).toMatchObject({ failure: 'conflict', status, code });
    expect(error.message).toContain('service is idle: sent awake, it can be stopped once it runs');
    expect(sim.requests.map(({ path, body, status: answered }) => ({ path, body, status: answered }))).toEqual([
      { path: servicePath('s1', '/state'), body: '{"command":"stop"}', status },
      { path: servicePath('s1', '/state'), body: '{"command":"awake"}', status: 200 },
    ]);
    await expect(adapter.status('s1')).resolves.toEqual({ state: 'starting', raw: 'awaking' });
    await sim.waitForState('s1', 'running');
    await expect(adapter.stop('s1')).resolves.toEqual({ kind: 'accepted', raw: 'stopping' });
  });

  it('stops it in one request when ClickHouse allows that', async () => {
    const { sim, adapter } = await simulated({ resources: { s1: 'idle' }, switches: { idleStop: 'stops' } });
    await expect(adapter.stop('s1')).resolves.toEqual({ kind: 'accepted', raw: 'stopping' });
    expect(sim.requests).toHaveLength(1);
  });

  it('recognises an idle service from the message when no current state is named', async () => {
    const { server, adapter } = await answering(refusal(424, 'FAILED_DEPENDENCY: Service is idle'), { status: 200, body: { status: 200, result: { state: 'awaking' } } });
    await expect(providerFailure(adapter.stop('s1'))).resolves.toMatchObject({ failure: 'conflict', status: 424 });
    expect(server.requests.map((request) => request.body)).toEqual(['{"command":"stop"}', '{"command":"awake"}']);
  });

  it('sends the awake only when the key budget has room for it (extraRequest), else reports the conflict alone', async () => {
    const sim = await harness.start(createClickhouseSimulator({ credentials: { ...credentials, organizationId: ORG }, transitionMs: 3_600_000, resources: { s1: 'idle' } }));
    const asked: string[] = [];
    const adapter = createClickhouseAdapter('ch-test', config({ baseUrl: sim.url }), {
      ...harness.deps,
      extraRequest: async (resource) => (asked.push(resource), false),
    });
    const error = await providerFailure(adapter.stop('s1'));
    expect(error).toMatchObject({ failure: 'conflict' });
    expect(error.message).toContain('must wait for room in the request budget');
    expect(asked).toEqual(['s1']);
    expect(sim.requests.map((request) => request.body)).toEqual(['{"command":"stop"}']);
  });

  it('sends no awake for a 424 that is not about idling', async () => {
    const { server, adapter } = await answering(refusal(424, 'FAILED_DEPENDENCY: backup in progress'));
    const error = await providerFailure(adapter.stop('s1'));
    expect(error).toMatchObject({ failure: 'conflict', status: 424, code: 'FAILED_DEPENDENCY' });
    expect(server.requests).toHaveLength(1);
  });

  it('reports the stop conflict when the awake is refused too', async () => {
    const { adapter } = await answering(refusal(424, 'FAILED_DEPENDENCY: Service must be awake. Current state: idle'), refusal(409, "CONFLICT: Current state: 'awaking'"));
    const error = await providerFailure(adapter.stop('s1'));
    expect(error).toMatchObject({ failure: 'conflict', status: 424 });
    expect(error.message).toContain('awake refused too (409)');
  });

  it('reports a throttled awake as throttled, with its wait', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { sim, adapter } = await simulated({ clock, resources: { s1: 'idle' } });
    for (let read = 0; read < 9; read += 1) await adapter.status('s1');
    clock.advance(3_000);
    const error = await providerFailure(adapter.stop('s1'));
    expect(error).toMatchObject({ failure: 'throttled', status: 429, retryAfterMs: 7_000 });
    expect(error.message).toContain('PATCH');
    expect(sim.stateOf('s1')).toBe('idle');
  });
});

describe('clickhouse adapter: errors', () => {
  it.each([
    [400, 'invalid'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [409, 'conflict'],
    [418, 'invalid'],
    [424, 'conflict'],
    [429, 'throttled'],
    [500, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
  ])('maps %i to %s', async (status, expected) => {
    const { sim, adapter } = await simulated({ resources: { s1: 'running' } });
    sim.injectFault({ kind: 'error', status });
    await expect(providerFailure(adapter.status('s1'))).resolves.toMatchObject({ failure: expected, status });
  });

  it('maps refused credentials to auth, as 401 or 403', async () => {
    for (const authFailure of ['401', '403']) {
      const sim = await harness.start(createClickhouseSimulator({ credentials: { keyId: 'other', keySecret: 'other', organizationId: ORG }, resources: { s1: 'running' }, switches: { authFailure } }));
      const adapter = createClickhouseAdapter('ch-test', config({ baseUrl: sim.url }), harness.deps);
      await expect(providerFailure(adapter.status('s1'))).resolves.toMatchObject({ failure: 'auth', status: Number(authFailure) });
    }
  });

  it('maps a foreign organization to auth', async () => {
    const sim = await harness.start(createClickhouseSimulator({ credentials, resources: { s1: 'running' } }));
    const adapter = createClickhouseAdapter('ch-test', config({ baseUrl: sim.url }), harness.deps);
    await expect(providerFailure(adapter.stop('s1'))).resolves.toMatchObject({ failure: 'auth', status: 403, code: 'FORBIDDEN' });
  });

  it('maps a 400 to invalid with the provider’s words', async () => {
    const { adapter } = await answering(refusal(400, 'BAD_REQUEST: Invalid command'));
    await expect(providerFailure(adapter.start('s1'))).resolves.toMatchObject({ failure: 'invalid', status: 400, code: 'BAD_REQUEST' });
  });

  it('reads X-RateLimit-Reset in seconds from a 429', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { adapter } = await simulated({ clock, resources: { s1: 'running' } });
    for (let read = 0; read < 10; read += 1) await adapter.status('s1');
    clock.advance(2_500);
    await expect(providerFailure(adapter.status('s1'))).resolves.toMatchObject({ failure: 'throttled', status: 429, code: 'TOO_MANY_REQUESTS', retryAfterMs: 8_000 });
  });

  it.each([
    ['retry-after', 8_000],
    ['both', 8_000],
    ['none', undefined],
  ])('honours the 429 headers ClickHouse sends (throttleHeaders=%s)', async (throttleHeaders, retryAfterMs) => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { adapter } = await simulated({ clock, resources: { s1: 'running' }, switches: { throttleHeaders } });
    for (let read = 0; read < 10; read += 1) await adapter.status('s1');
    clock.advance(2_500);
    await expect(providerFailure(adapter.status('s1'))).resolves.toMatchObject({ failure: 'throttled', retryAfterMs });
  });

  it.each([
    ['fractional seconds', { 'x-ratelimit-reset': '0.25' }, 250],
    ['an epoch instant against the answer’s Date', { date: 'Mon, 06 Jan 2025 08:00:00 GMT', 'x-ratelimit-reset': String(Date.parse('2025-01-06T08:00:07Z') / 1000) }, 7_000],
    ['the longer of both headers', { 'x-ratelimit-reset': '3', 'retry-after': '5' }, 5_000],
    ['an unreadable reset, falling back to Retry-After', { 'x-ratelimit-reset': 'soon', 'retry-after': '4' }, 4_000],
  ])('reads a 429 wait given as %s', async (_what, headers, retryAfterMs) => {
    const { adapter } = await answering(refusal(429, 'TOO_MANY_REQUESTS: slow down', headers));
    await expect(providerFailure(adapter.status('s1'))).resolves.toMatchObject({ failure: 'throttled', retryAfterMs });
  });

  it('masks credentials a provider echoes in an error', async () => {
    const { adapter } = await answering(refusal(403, `FORBIDDEN: unknown key ${credentials.keyId}:${credentials.keySecret}`));
    const error = await providerFailure(adapter.status('s1'));
    expect(error.message).toBe(`[ch-test] 403 on GET ${servicePath('s1')}: FORBIDDEN unknown key ***:*** (request 0a1b2c3d-0000-4000-8000-000000000000) (auth)`);
  });

  it('shows a non-JSON error body cut short', async () => {
    const { adapter } = await answering({ status: 502, body: `<html>${'bad gateway '.repeat(50)}</html>` });
    const error = await providerFailure(adapter.status('s1'));
    expect(error.failure).toBe('transient');
    expect(error.message).toMatch(/: <html>bad gateway .{150,210}… \(transient\)$/);
  });

  it('reports a refused connection as transient', async () => {
    const { sim, adapter } = await simulated({ resources: { s1: 'running' } });
    await sim.close();
    await expect(providerFailure(adapter.status('s1'))).resolves.toMatchObject({ failure: 'transient', status: undefined });
  });
});

describe('clickhouse adapter: idle scaling', () => {
  it('sends PATCH .../scaling and reports what ClickHouse now holds', async () => {
    const { sim, adapter } = await simulated({ resources: { s1: 'running' } });
    await expect(adapter.setIdleScaling('s1', { idleScaling: true, idleTimeoutMinutes: 10 })).resolves.toEqual({
      idleScaling: true,
      idleTimeoutMinutes: 10,
      observation: { state: 'running', raw: 'running' },
    });
    expect(sim.requests[0]).toMatchObject({ method: 'PATCH', path: servicePath('s1', '/scaling'), body: '{"idleScaling":true,"idleTimeoutMinutes":10}', status: 200 });
  });

  it('sends no timeout when it turns idle scaling off', async () => {
    const { sim, adapter } = await simulated({ resources: { s1: 'stopped' } });
    await expect(adapter.setIdleScaling('s1', { idleScaling: false, idleTimeoutMinutes: 30 })).resolves.toMatchObject({ idleScaling: false });
    expect(sim.requests[0]?.body).toBe('{"idleScaling":false}');
  });

  it.each([
    ['a timeout under 5 minutes', { idleScaling: true, idleTimeoutMinutes: 4 }],
    ['a fractional timeout', { idleScaling: true, idleTimeoutMinutes: 7.5 }],
  ])('refuses %s as invalid without sending it', async (_what, settings) => {
    const { sim, adapter } = await simulated({ resources: { s1: 'running' } });
    const error = await providerFailure(adapter.setIdleScaling('s1', settings));
    expect(error).toMatchObject({ failure: 'invalid', method: 'PATCH', path: servicePath('s1', '/scaling') });
    expect(error.message).toMatch(/^\[ch-test\] invalid on PATCH .*: request not sent: .*idleTimeoutMinutes/);
    expect(sim.requests).toHaveLength(0);
  });

  it('maps its errors like any other call', async () => {
    const { adapter } = await simulated({ resources: {} });
    await expect(providerFailure(adapter.setIdleScaling('zz', { idleScaling: true, idleTimeoutMinutes: 5 }))).resolves.toMatchObject({ failure: 'not-found', status: 404 });
  });

  it('takes a garbage answer for a transient error', async () => {
    const { adapter } = await answering({ status: 200, body: { status: 200, result: { idleScaling: true } } });
    await expect(providerFailure(adapter.setIdleScaling('s1', { idleScaling: true, idleTimeoutMinutes: 5 }))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('clickhouse adapter: helpers', () => {
  it.each([
    ["CONFLICT: x. Current state: 'running'", 'running'],
    ['FAILED_DEPENDENCY: x. Current state: idle', 'idle'],
    ["current state: 'Partially_Running'.", 'partially_running'],
    ['CONFLICT: busy', undefined],
    [undefined, undefined],
  ])('reads the current state of %j', (text, state) => {
    expect(currentStateIn(text)).toBe(state);
  });

  it('has no wait when a 429 says nothing', () => {
    expect(throttleWaitMs({}, undefined, new Date('2025-01-06T08:00:00Z'))).toBeUndefined();
    expect(throttleWaitMs({ 'x-ratelimit-reset': '' }, 2_000, new Date('2025-01-06T08:00:00Z'))).toBe(2_000);
  });
});

describe('clickhouse adapter: limits, config and definition', () => {
  it('declares 10 requests per 10 seconds per key by default, scoped per provider entry', () => {
    const adapter = createClickhouseAdapter('c', config({}), harness.deps);
    expect(adapter.limits).toEqual({ all: { max: 10, perMs: 10_000 } });
    expect(adapter.limitScope).toBe('provider');
  });

  it('lets the config override single operations and the scope', () => {
    const adapter = createClickhouseAdapter('c', config({ limits: { all: { max: 8, per: '10s' }, stop: { max: 1, per: '5m' } }, limitScope: 'resource' }), harness.deps);
    expect(adapter.limits).toEqual({ all: { max: 8, perMs: 10_000 }, stop: { max: 1, perMs: 300_000 } });
    expect(adapter.limitScope).toBe('resource');
  });

  it('calls the public endpoint with Basic auth when no baseUrl is set', async () => {
    const mock = harness.mockAgent();
    const basic = basicAuth(credentials.keyId, credentials.keySecret);
    const pool = mock.get('https://api.clickhouse.cloud');
    pool.intercept({ path: servicePath('s1'), method: 'GET', headers: { authorization: basic } }).reply(200, { status: 200, requestId: 'r', result: { id: 's1', state: 'idle' } });
    pool
      .intercept({ path: servicePath('s1', '/state'), method: 'PATCH', headers: { authorization: basic, 'content-type': 'application/json' }, body: '{"command":"stop"}' })
      .reply(200, { status: 200, requestId: 'r', result: { id: 's1', state: 'stopping' } });
    const adapter = clickhouseDefinition.create('clickhouse', config({}), { logger: harness.logger, dispatcher: mock });
    await expect(adapter.status('s1')).resolves.toEqual({ state: 'running', raw: 'idle' });
    await expect(adapter.stop('s1')).resolves.toEqual({ kind: 'accepted', raw: 'stopping' });
  });

  it('accepts the documented entry and refuses what it does not know', () => {
    expect(config({ baseUrl: 'http://127.0.0.1:1', timeout: '5s' })).toMatchObject({ organizationId: ORG, timeout: 5_000, poll: { timeout: 1_800_000 } });
    const refused = (entry: Record<string, unknown>) => clickhouseDefinition.configSchema.safeParse({ type: 'clickhouse', organizationId: ORG, credentials, ...entry }).success;
    expect(refused({ region: 'eu' })).toBe(false);
    expect(refused({ organizationId: undefined })).toBe(false);
    expect(refused({ organizationId: 'my-org' })).toBe(false);
    expect(refused({ credentials: { key: 'k', secret: 's' } })).toBe(false);
    expect(refused({ credentials: { keyId: 'k' } })).toBe(false);
    expect(refused({ type: 'emqx' })).toBe(false);
  });

  it('names its secrets, states and capabilities', () => {
    expect(clickhouseDefinition).toMatchObject({
      type: 'clickhouse',
      defaultBaseUrl: 'https://api.clickhouse.cloud',
      defaultLimits: { all: { max: 10, perMs: 10_000 } },
      defaultLimitScope: 'provider',
      capabilities: { reportsTransitions: true, batchStatus: false },
      rawStates: { running: 'running', stopped: 'stopped' },
      secretPaths: ['credentials.keyId', 'credentials.keySecret'],
    });
  });

  it('loads through the config loader, and keeps a bad credential out of its errors', () => {
    const text = (entry: string) => `
providers:
  ch:
    type: clickhouse
    ${entry}
schedules:
  office: { timezone: Europe/Berlin, running: ["Mon-Fri 08:00-19:00"] }
targets:
  - { name: warehouse, provider: ch, resource: 1b2c3d4e-0000-4000-8000-000000000001, schedule: office }
`;
    const env = { CH_KEY_ID: credentials.keyId, CH_KEY_SECRET: credentials.keySecret };
    const loaded = loadConfigText(text(`organizationId: ${ORG}\n    credentials: { keyId: "\${CH_KEY_ID}", keySecret: "\${CH_KEY_SECRET}" }`), { file: 'c.yaml', env, definitions: [clickhouseDefinition] });
    expect(loaded.config.providers.ch).toMatchObject({ type: 'clickhouse', organizationId: ORG, credentials });
    expect(loaded.targets[0]).toMatchObject({ name: 'warehouse', providerType: 'clickhouse' });
    const refused = (() => {
      try {
        loadConfigText(text(`organizationId: not-a-uuid\n    credentials: { keyId: ${credentials.keyId}, keySecret: ${credentials.keySecret}, key: extra }`), { file: 'c.yaml', env: {}, definitions: [clickhouseDefinition] });
      } catch (error) {
        return String(error);
      }
      return 'loaded';
    })();
    expect(refused).toContain('providers.ch.organizationId');
    expect(refused).toContain('providers.ch.credentials');
    expect(refused).not.toContain(credentials.keySecret);
  });
});
