import { describe, expect, it, vi } from 'vitest';
import { CLICKHOUSE_DEMO_CREDENTIALS, createClickhouseSimulator, type ClickhouseSimulatorOptions } from '../../../src/providers/clickhouse/clickhouse-simulator.ts';
import type { SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { callSimulator, type SimulatorAnswer } from '../../support/call-simulator.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const demo = { keyId: CLICKHOUSE_DEMO_CREDENTIALS.keyId, keySecret: CLICKHOUSE_DEMO_CREDENTIALS.keySecret };
const ORG = CLICKHOUSE_DEMO_CREDENTIALS.organizationId;
const SECOND = 1_000;

const harness = useProviderHarness();

const started = (options: ClickhouseSimulatorOptions = {}) => harness.start(createClickhouseSimulator({ transitionMs: 3_600_000, ...options }));

/** `auth: null` sends no Authorization header; `body` is sent as JSON unless it is a string. */
async function call(sim: SimulatorServer, method: string, path: string, options: { auth?: { keyId: string; keySecret: string } | null; body?: unknown } = {}): Promise<SimulatorAnswer> {
  const auth = options.auth === undefined ? demo : options.auth;
  return callSimulator(harness.dispatcher, sim, method, path, { headers: auth ? { authorization: basicAuth(auth.keyId, auth.keySecret) } : {}, body: options.body });
}

const service = (id: string, tail = '') => `/v1/organizations/${ORG}/services/${id}${tail}`;
const command = (sim: SimulatorServer, id: string, name: string) => call(sim, 'PATCH', service(id, '/state'), { body: { command: name } });
/** Lets promise callbacks run (setImmediate is not faked where these tests fake setTimeout). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
const errorOf = (answer: SimulatorAnswer) => (answer.json as { error: string }).error;

describe('clickhouse simulator: API', () => {
  it('answers a service in the documented envelope, and lists them', async () => {
    const sim = await started({ resources: { s1: 'running', s2: 'stopped' } });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await call(sim, 'GET', service('s1'));
    expect(answer).toMatchObject({
      status: 200,
      json: {
        status: 200,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        result: { id: 's1', name: 'service-s1', state: 'running', tier: 'production', idleScaling: false, idleTimeoutMinutes: 15, endpoints: [{ protocol: 'https' }] },
      },
    });
    const list = await call(sim, 'GET', `/v1/organizations/${ORG}/services`);
    expect((list.json as { result: { id: string; state: string }[] }).result.map(({ id, state }) => ({ id, state }))).toEqual([
      { id: 's1', state: 'running' },
      { id: 's2', state: 'stopped' },
    ]);
  });

  it.each([
    [{}, 403, 'FORBIDDEN: Invalid API key'],
    [{ authFailure: '401' }, 401, 'UNAUTHORIZED: Invalid API key'],
  ])('refuses missing or wrong credentials (switches %j) and records them unauthorized', async (switches, status, error) => {
    const sim = await started({ resources: { s1: 'running' }, credentials: { keyId: 'k1', keySecret: 's1' }, switches });
    await expect(call(sim, 'GET', service('s1'), { auth: null })).resolves.toMatchObject({ status, json: { status, error } });
    await expect(call(sim, 'GET', service('s1'), { auth: { keyId: 'k1', keySecret: 'nope' } })).resolves.toMatchObject({ status });
    await expect(call(sim, 'GET', service('s1'), { auth: demo })).resolves.toMatchObject({ status });
    await expect(call(sim, 'GET', service('s1'), { auth: { keyId: 'k1', keySecret: 's1' } })).resolves.toMatchObject({ status: 200 });
    expect(sim.requests.map((r) => r.authorized)).toEqual([false, false, false, true]);
  });

  it('refuses another organization with 403', async () => {
    const sim = await started({ resources: { s1: 'running' } });
    const answer = await call(sim, 'GET', '/v1/organizations/11111111-2222-4333-8444-555555555555/services/s1');
    expect(answer).toMatchObject({ status: 403, json: { error: expect.stringContaining('no access to organization') } });
    expect(sim.requests[0]).toMatchObject({ authorized: false });
  });

  it('answers 404 for an unknown service or endpoint and 405 for a wrong method', async () => {
    const sim = await started({ resources: { s1: 'running' } });
    await expect(call(sim, 'GET', service('zz'))).resolves.toMatchObject({ status: 404, json: { status: 404, error: 'NOT_FOUND: Service zz not found' } });
    await expect(command(sim, 'zz', 'start')).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'GET', `/v1/organizations/${ORG}/backups`)).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'POST', service('s1', '/state'), { body: { command: 'stop' } })).resolves.toMatchObject({ status: 405 });
    await expect(call(sim, 'GET', service('s1', '/state'))).resolves.toMatchObject({ status: 405 });
    expect(sim.stateOf('s1')).toBe('running');
  });

  it.each([
    ['an unknown command', { command: 'restart' }],
    ['a missing body', undefined],
    ['a body that is not JSON', 'command=stop'],
  ])('answers 400 to %s', async (_what, body) => {
    const sim = await started({ resources: { s1: 'running' } });
    const answer = await call(sim, 'PATCH', service('s1', '/state'), body === undefined ? {} : { body });
    expect(answer).toMatchObject({ status: 400, json: { error: expect.stringMatching(/^BAD_REQUEST: /) } });
    expect(sim.stateOf('s1')).toBe('running');
  });

  it('starts a stopped service: 200 starting, then running', async () => {
    const sim = await started({ resources: { s1: 'stopped' }, transitionMs: 60_000, timeScale: 1_000 });
    await expect(command(sim, 's1', 'start')).resolves.toMatchObject({ status: 200, json: { result: { id: 's1', state: 'starting' } } });
    expect(sim.stateOf('s1')).toBe('starting');
    await sim.waitForState('s1', 'running');
  });

  it.each(['running', 'partially_running', 'degraded'])('stops a %s service: 200 stopping, then stopped', async (state) => {
    const sim = await started({ resources: { s1: state }, transitionMs: 60_000, timeScale: 1_000 });
    await expect(command(sim, 's1', 'stop')).resolves.toMatchObject({ status: 200, json: { result: { state: 'stopping' } } });
    await sim.waitForState('s1', 'stopped');
  });

  it('shows the state before the command when actionResult is previous', async () => {
    const sim = await started({ resources: { s1: 'stopped' }, switches: { actionResult: 'previous' } });
    await expect(command(sim, 's1', 'start')).resolves.toMatchObject({ status: 200, json: { result: { state: 'stopped' } } });
    expect(sim.stateOf('s1')).toBe('starting');
  });

  it.each([
    ['start', 'running'],
    ['start', 'starting'],
    ['start', 'stopping'],
    ['start', 'idle'],
    ['stop', 'stopped'],
    ['stop', 'starting'],
    ['stop', 'provisioning'],
    ['awake', 'running'],
    ['awake', 'stopped'],
  ])('answers 409 CONFLICT naming the current state to %s on a %s service, and leaves it', async (name, state) => {
    const sim = await started({ resources: { s1: state } });
    const answer = await command(sim, 's1', name);
    expect(answer).toMatchObject({ status: 409, json: { status: 409, requestId: expect.any(String) } });
    expect(errorOf(answer)).toMatch(new RegExp(`^CONFLICT: .*Current state: '${state}'$`));
    expect(sim.stateOf('s1')).toBe(state);
  });

  it('wakes an idle service on awake: awaking, then running', async () => {
    const sim = await started({ resources: { s1: 'idle' }, transitionMs: 30_000, timeScale: 1_000 });
    await expect(command(sim, 's1', 'awake')).resolves.toMatchObject({ status: 200, json: { result: { state: 'awaking' } } });
    await sim.waitForState('s1', 'running');
  });
});

describe('clickhouse simulator: idle services (switches)', () => {
  it('refuses to stop an idle service with 424 FAILED_DEPENDENCY by default', async () => {
    const sim = await started({ resources: { s1: 'idle' } });
    const answer = await command(sim, 's1', 'stop');
    expect(answer).toMatchObject({ status: 424, json: { status: 424 } });
    expect(errorOf(answer)).toMatch(/^FAILED_DEPENDENCY: .*Current state: idle$/);
    expect(sim.stateOf('s1')).toBe('idle');
  });

  it('refuses with 409 when idleStop is conflict', async () => {
    const sim = await started({ resources: { s1: 'idle' }, switches: { idleStop: 'conflict' } });
    const answer = await command(sim, 's1', 'stop');
    expect(answer.status).toBe(409);
    expect(errorOf(answer)).toContain("Current state: 'idle'");
  });

  it('stops an idle service when idleStop is stops', async () => {
    const sim = await started({ resources: { s1: 'idle' }, switches: { idleStop: 'stops' } });
    await expect(command(sim, 's1', 'stop')).resolves.toMatchObject({ status: 200, json: { result: { state: 'stopping' } } });
  });

  it('wakes an idle service on start when idleStart is wakes', async () => {
    const sim = await started({ resources: { s1: 'idle' }, switches: { idleStart: 'wakes' } });
    await expect(command(sim, 's1', 'start')).resolves.toMatchObject({ status: 200, json: { result: { state: 'awaking' } } });
  });

  it('refuses unknown switches and values', () => {
    expect(() => createClickhouseSimulator({ switches: { idleStop: 'sometimes' } })).toThrow(/\[sim clickhouse\] bad switches/);
    expect(() => createClickhouseSimulator({ switches: { authFailure: '500' } })).toThrow(/bad switches/);
    expect(() => createClickhouseSimulator({ switches: { idlestop: 'stops' } })).toThrow(/bad switches/);
  });
});

describe('clickhouse simulator: idle scaling', () => {
  it('sets idleScaling and idleTimeoutMinutes and answers the service', async () => {
    const sim = await started({ resources: { s1: 'stopped' } });
    await expect(call(sim, 'PATCH', service('s1', '/scaling'), { body: { idleScaling: true, idleTimeoutMinutes: 10 } })).resolves.toMatchObject({
      status: 200,
      json: { result: { id: 's1', state: 'stopped', idleScaling: true, idleTimeoutMinutes: 10 } },
    });
    await expect(call(sim, 'GET', service('s1'))).resolves.toMatchObject({ json: { result: { idleScaling: true, idleTimeoutMinutes: 10 } } });
  });

  it.each([
    ['a timeout under 5 minutes', { idleScaling: true, idleTimeoutMinutes: 4 }],
    ['an unknown field', { idleScaling: true, idleTimeout: 10 }],
    ['a string for a boolean', { idleScaling: 'yes' }],
  ])('answers 400 to %s', async (_what, body) => {
    const sim = await started({ resources: { s1: 'running' } });
    await expect(call(sim, 'PATCH', service('s1', '/scaling'), { body })).resolves.toMatchObject({ status: 400, json: { error: expect.stringMatching(/^BAD_REQUEST: /) } });
  });

  it('idles a running service after its timeout, divided by timeScale', async () => {
    const sim = await started({ resources: { s1: 'running' }, timeScale: 60 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await call(sim, 'PATCH', service('s1', '/scaling'), { body: { idleScaling: true, idleTimeoutMinutes: 5 } });
    vi.advanceTimersByTime(5 * SECOND - 1);
    expect(sim.stateOf('s1')).toBe('running');
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('s1')).toBe('idle');
  });

  it('idles a service its timeout after a start has made it run', async () => {
    const sim = await started({ resources: { s1: 'stopped' }, timeScale: 60, transitionMs: 60_000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await call(sim, 'PATCH', service('s1', '/scaling'), { body: { idleScaling: true, idleTimeoutMinutes: 10 } });
    await command(sim, 's1', 'start');
    vi.advanceTimersByTime(SECOND);
    expect(sim.stateOf('s1')).toBe('running');
    await settled(); // the idle timer is armed once the service runs
    vi.advanceTimersByTime(10 * SECOND - 1);
    expect(sim.stateOf('s1')).toBe('running');
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('s1')).toBe('idle');
  });

  it('does not idle a service once idle scaling is turned off', async () => {
    const sim = await started({ resources: { s1: 'running' }, timeScale: 60 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await call(sim, 'PATCH', service('s1', '/scaling'), { body: { idleScaling: true, idleTimeoutMinutes: 5 } });
    await call(sim, 'PATCH', service('s1', '/scaling'), { body: { idleScaling: false } });
    vi.advanceTimersByTime(60 * SECOND);
    expect(sim.stateOf('s1')).toBe('running');
  });

  it('never idles a service without idle scaling', async () => {
    const sim = await started({ resources: { s1: 'stopped' }, timeScale: 60, transitionMs: 60_000 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await command(sim, 's1', 'start');
    vi.advanceTimersByTime(3_600 * SECOND);
    expect(sim.stateOf('s1')).toBe('running');
  });
});

describe('clickhouse simulator: limits', () => {
  it('allows 10 requests per 10 seconds per key across every endpoint and service, then 429 with X-RateLimit-Reset', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { s1: 'running', s2: 'stopped' } });
    for (let read = 0; read < 8; read += 1) expect((await call(sim, 'GET', service(read % 2 ? 's1' : 's2'))).status).toBe(200);
    expect((await command(sim, 's2', 'start')).status).toBe(200);
    expect((await call(sim, 'PATCH', service('s1', '/scaling'), { body: { idleScaling: false } })).status).toBe(200);
    clock.advance(2_500);
    const limited = await call(sim, 'GET', service('s1'));
    expect(limited).toMatchObject({ status: 429, json: { status: 429, error: expect.stringMatching(/^TOO_MANY_REQUESTS: /) } });
    expect(limited.headers['x-ratelimit-reset']).toBe('8');
    expect(limited.headers['retry-after']).toBeUndefined();
    expect(sim.requests.at(-1)).toMatchObject({ status: 429, limited: true });
    clock.advance(7_499);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(429);
    clock.advance(1);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(200);
  });

  it('counts per API key', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { s1: 'running' } });
    for (let read = 0; read < 10; read += 1) await call(sim, 'GET', service('s1'));
    expect((await call(sim, 'GET', service('s1'))).status).toBe(429);
    const other = await started({ clock, resources: { s1: 'running' }, credentials: { keyId: 'other-key', keySecret: 'other-secret' } });
    expect((await call(other, 'GET', service('s1'), { auth: { keyId: 'other-key', keySecret: 'other-secret' } })).status).toBe(200);
  });

  it('divides the window by timeScale', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, timeScale: 10, resources: { s1: 'running' } });
    for (let read = 0; read < 10; read += 1) await call(sim, 'GET', service('s1'));
    clock.advance(999);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(429);
    clock.advance(1);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(200);
  });

  it('does not count a 429 or refused credentials against the window', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { s1: 'running' } });
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await call(sim, 'GET', service('s1'), { auth: null })).status).toBe(403);
    for (let read = 0; read < 10; read += 1) expect((await call(sim, 'GET', service('s1'))).status).toBe(200);
    clock.advance(5_000);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(429);
    clock.advance(5_000);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(200);
  });

  it.each([
    [true, 429],
    ['false', 200],
  ])('counts refused requests when countRejected is %s', async (countRejected, then) => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { s1: 'running' }, switches: { countRejected } });
    for (let attempt = 0; attempt < 10; attempt += 1) expect((await call(sim, 'GET', service('zz'))).status).toBe(404);
    expect((await call(sim, 'GET', service('s1'))).status).toBe(then);
  });

  it.each([
    ['reset', '8', undefined],
    ['retry-after', undefined, '8'],
    ['both', '8', '8'],
    ['none', undefined, undefined],
  ])('sends the 429 headers throttleHeaders=%s says', async (throttleHeaders, reset, retryAfter) => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { s1: 'running' }, switches: { throttleHeaders } });
    for (let read = 0; read < 10; read += 1) await call(sim, 'GET', service('s1'));
    clock.advance(2_100);
    const limited = await call(sim, 'GET', service('s1'));
    expect(limited.status).toBe(429);
    expect(limited.headers['x-ratelimit-reset']).toBe(reset);
    expect(limited.headers['retry-after']).toBe(retryAfter);
  });
});

describe('clickhouse simulator: faults and request log', () => {
  it('injects faults on ClickHouse paths and records every request with its body, never the credentials', async () => {
    const sim = await started({ resources: { s1: 'running' }, credentials: { keyId: 'log-key-1', keySecret: 'log-secret-2' } });
    const auth = { keyId: 'log-key-1', keySecret: 'log-secret-2' };
    sim.injectFault({ kind: 'error', status: 500, match: `PATCH ${service('s1', '/state')}`, count: 1 });
    expect((await call(sim, 'PATCH', service('s1', '/state'), { auth, body: { command: 'stop' } })).status).toBe(500);
    expect((await call(sim, 'PATCH', service('s1', '/state'), { auth, body: { command: 'stop' } })).status).toBe(200);
    sim.injectFault({ kind: 'malformed', count: 1 });
    const garbage = await call(sim, 'GET', service('s1'), { auth });
    expect(garbage.status).toBe(200);
    expect(typeof garbage.json).toBe('string');
    const log = await call(sim, 'GET', '/_sim/requests');
    expect(log.json).toEqual([
      { at: expect.any(String), method: 'PATCH', path: service('s1', '/state'), body: '{"command":"stop"}', status: 500, authorized: true, limited: false, fault: 'error' },
      { at: expect.any(String), method: 'PATCH', path: service('s1', '/state'), body: '{"command":"stop"}', status: 200, authorized: true, limited: false },
      { at: expect.any(String), method: 'GET', path: service('s1'), body: '', status: 200, authorized: true, limited: false, fault: 'malformed' },
    ]);
    const text = JSON.stringify(log.json);
    for (const secret of ['log-secret-2', Buffer.from('log-key-1:log-secret-2').toString('base64')]) expect(text).not.toContain(secret);
  });
});
