import { describe, expect, it } from 'vitest';
import { createEmqxAdapter } from '../../../src/providers/emqx/emqx-adapter.ts';
import { emqxDefinition } from '../../../src/providers/emqx/emqx-definition.ts';
import { createEmqxSimulator, type EmqxSimulatorOptions } from '../../../src/providers/emqx/emqx-simulator.ts';
import type { EmqxConfig } from '../../../src/providers/emqx/emqx-schemas.ts';
import type { ProviderAdapter } from '../../../src/providers/provider.ts';
import type { SimReply, SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { providerFailure } from '../../support/provider-failure.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const credentials = { key: 'adapter-key-5d2c', secret: 'adapter-secret-8e1f' };

const harness = useProviderHarness();

function config(entry: Record<string, unknown>): EmqxConfig {
  return emqxDefinition.configSchema.parse({ type: 'emqx', credentials, ...entry });
}

async function simulated(options: EmqxSimulatorOptions = {}): Promise<{ sim: SimulatorServer; adapter: ProviderAdapter }> {
  const sim = await harness.start(createEmqxSimulator({ credentials, transitionMs: 3_600_000, ...options }));
  const adapter = createEmqxAdapter('emqx-test', config({ baseUrl: sim.url }), harness.deps);
  return { sim, adapter };
}

/** A server that answers every request with `reply`: the provider misbehaving in ways the simulator does not. */
async function answering(reply: SimReply): Promise<ProviderAdapter> {
  const server = await harness.answering(reply);
  return createEmqxAdapter('emqx-test', config({ baseUrl: server.url }), harness.deps);
}

describe('emqx adapter: status', () => {
  it.each([
    ['running', 'running'],
    ['starting', 'starting'],
    ['pending', 'starting'],
    ['stopping', 'stopping'],
    ['stopped', 'stopped'],
    ['failed', 'unknown'],
    ['upgrading', 'unknown'],
  ])('maps %s to %s and keeps the raw string', async (raw, state) => {
    const { adapter } = await simulated({ resources: { d1: raw } });
    await expect(adapter.status('d1')).resolves.toEqual({ state, raw });
  });

  it('puts the resource id in the path as one encoded segment', async () => {
    const { sim, adapter } = await simulated({ resources: { 'a b/c': 'running' } });
    await expect(adapter.status('a b/c')).resolves.toMatchObject({ state: 'running' });
    expect(sim.requests[0]?.path).toBe('/public_api/v1/deployments/a%20b%2Fc');
  });

  it('takes a status body without a status string for garbage', async () => {
    const adapter = await answering({ status: 200, body: { deploymentID: 'd1', status: 3 } });
    const error = await providerFailure(adapter.status('d1'));
    expect(error.failure).toBe('transient');
    expect(error.message).toContain('unexpected response body');
  });
});

describe('emqx adapter: start and stop', () => {
  it('sends a bodiless POST and takes 201 {operation} as accepted', async () => {
    const { sim, adapter } = await simulated({ resources: { d1: 'stopped', d2: 'running' } });
    await expect(adapter.start('d1')).resolves.toEqual({ kind: 'accepted', raw: 'starting' });
    await expect(adapter.stop('d2')).resolves.toEqual({ kind: 'accepted', raw: 'stopping' });
    expect(sim.requests.map(({ method, path, body, status }) => ({ method, path, body, status }))).toEqual([
      { method: 'POST', path: '/public_api/v1/deployments/d1/start', body: '', status: 201 },
      { method: 'POST', path: '/public_api/v1/deployments/d2/stop', body: '', status: 201 },
    ]);
  });

  it('maps 422 to conflict, with the code and message from the body', async () => {
    const { adapter } = await simulated({ resources: { d1: 'starting' } });
    const error = await providerFailure(adapter.start('d1'));
    expect(error).toMatchObject({ failure: 'conflict', status: 422, code: 'INVALID_DEPLOYMENT_STATUS', method: 'POST', path: '/deployments/d1/start' });
    expect(error.message).toBe('[emqx-test] 422 on POST /deployments/d1/start: INVALID_DEPLOYMENT_STATUS deployment d1 is starting; start needs it stopped (conflict)');
  });

  it('reads a numeric error code', async () => {
    const { adapter } = await simulated({ resources: { d1: 'stopped' }, switches: { errorCode: 'number' } });
    await expect(providerFailure(adapter.stop('d1'))).resolves.toMatchObject({ failure: 'conflict', code: '422' });
  });

  it.each([
    ['another operation', { status: 201, body: { deploymentID: 'd1', deploymentName: 'n', operation: 'stopping' } }],
    ['an empty 204', { status: 204 }],
    ['an HTML page', { status: 200, body: '<html>ok</html>' }],
  ])('takes %s for garbage, never for success', async (_what, reply) => {
    const adapter = await answering(reply);
    await expect(providerFailure(adapter.start('d1'))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('emqx adapter: errors', () => {
  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
    [400, 'invalid'],
    [409, 'conflict'],
    [429, 'throttled'],
    [500, 'transient'],
    [502, 'transient'],
  ])('maps %i to %s', async (status, expected) => {
    const { sim, adapter } = await simulated({ resources: { d1: 'running' } });
    sim.injectFault({ kind: 'error', status });
    await expect(providerFailure(adapter.status('d1'))).resolves.toMatchObject({ failure: expected, status });
  });

  it('reads Retry-After in seconds from a 429', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { sim, adapter } = await simulated({ clock, resources: { d1: 'stopped' }, switches: { retryAfter: true } });
    await adapter.start('d1');
    sim.setState('d1', 'stopped');
    clock.advance(20 * 60_000);
    const error = await providerFailure(adapter.start('d1'));
    expect(error).toMatchObject({ failure: 'throttled', status: 429, retryAfterMs: 40 * 60_000 });
  });

  it('has no retryAfterMs when the 429 comes without Retry-After', async () => {
    const { sim, adapter } = await simulated({ resources: { d1: 'stopped' } });
    await adapter.start('d1');
    sim.setState('d1', 'stopped');
    await expect(providerFailure(adapter.start('d1'))).resolves.toMatchObject({ failure: 'throttled', retryAfterMs: undefined });
  });

  it('reads Retry-After as an HTTP date against the answer’s own Date', async () => {
    const adapter = await answering({
      status: 429,
      body: { code: 'TOO_MANY_REQUESTS' },
      headers: { date: 'Mon, 06 Jan 2025 08:00:00 GMT', 'retry-after': 'Mon, 06 Jan 2025 08:02:30 GMT' },
    });
    await expect(providerFailure(adapter.status('d1'))).resolves.toMatchObject({ failure: 'throttled', retryAfterMs: 150_000 });
  });

  it('masks credentials a provider echoes in an error', async () => {
    const adapter = await answering({ status: 401, body: { code: 'UNAUTHORIZED', message: `unknown key ${credentials.key} / ${credentials.secret}` } });
    const error = await providerFailure(adapter.status('d1'));
    expect(error.message).toBe('[emqx-test] 401 on GET /deployments/d1: UNAUTHORIZED unknown key *** / *** (auth)');
  });

  it('shows a non-JSON error body cut short', async () => {
    const adapter = await answering({ status: 502, body: `<html>${'bad gateway '.repeat(50)}</html>` });
    const error = await providerFailure(adapter.status('d1'));
    expect(error.failure).toBe('transient');
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toContain('<html>bad gateway');
  });

  it('reports a refused connection as transient', async () => {
    const { sim, adapter } = await simulated({ resources: { d1: 'running' } });
    await sim.close();
    await expect(providerFailure(adapter.status('d1'))).resolves.toMatchObject({ failure: 'transient', status: undefined });
  });
});

describe('emqx adapter: limits and definition', () => {
  it('declares the documented limits by default, scoped per resource', () => {
    const adapter = createEmqxAdapter('e', config({}), harness.deps);
    expect(adapter.limits).toEqual({
      start: { max: 1, perMs: 3_600_000 },
      stop: { max: 1, perMs: 3_600_000 },
      status: { max: 60, perMs: 3_600_000 },
    });
    expect(adapter.limitScope).toBe('resource');
  });

  it('lets the config override single operations and the scope', () => {
    const adapter = createEmqxAdapter('e', config({ limits: { start: { max: 2, per: '30m' }, all: { max: 100, per: '1h' } }, limitScope: 'provider' }), harness.deps);
    expect(adapter.limits).toEqual({
      start: { max: 2, perMs: 1_800_000 },
      stop: { max: 1, perMs: 3_600_000 },
      status: { max: 60, perMs: 3_600_000 },
      all: { max: 100, perMs: 3_600_000 },
    });
    expect(adapter.limitScope).toBe('provider');
  });

  it('calls the public endpoint with Basic auth when no baseUrl is set', async () => {
    const mock = harness.mockAgent();
    const basic = basicAuth(credentials.key, credentials.secret);
    mock
      .get('https://cloud-intl.emqx.com')
      .intercept({ path: '/public_api/v1/deployments/w41b11c0', method: 'GET', headers: { authorization: basic } })
      .reply(200, { deploymentID: 'w41b11c0', status: 'running' });
    const adapter = emqxDefinition.create('emqx', config({}), { logger: harness.logger, dispatcher: mock });
    await expect(adapter.status('w41b11c0')).resolves.toEqual({ state: 'running', raw: 'running' });
  });

  it('accepts the documented entry and refuses unknown keys and missing credentials', () => {
    expect(config({ baseUrl: 'http://127.0.0.1:1/x', timeout: '5s' })).toMatchObject({ timeout: 5_000, poll: { timeout: 1_800_000 } });
    expect(emqxDefinition.configSchema.safeParse({ type: 'emqx', credentials, region: 'eu' }).success).toBe(false);
    expect(emqxDefinition.configSchema.safeParse({ type: 'emqx', credentials: { key: 'k' } }).success).toBe(false);
    expect(emqxDefinition.configSchema.safeParse({ type: 'clickhouse', credentials }).success).toBe(false);
  });

  it('names its secrets and capabilities', () => {
    expect(emqxDefinition).toMatchObject({
      type: 'emqx',
      defaultBaseUrl: 'https://cloud-intl.emqx.com/public_api/v1',
      defaultLimitScope: 'resource',
      capabilities: { reportsTransitions: true, batchStatus: false },
      secretPaths: ['credentials.key', 'credentials.secret'],
    });
  });
});
