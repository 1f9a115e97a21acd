import { describe, expect, it, vi } from 'vitest';
import { createUpcloudSimulator, type UpcloudSimulatorOptions } from '../../../src/providers/upcloud/upcloud-simulator.ts';
import type { SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { callSimulator, type SimulatorAnswer } from '../../support/call-simulator.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const S1 = '00ff2a9e-2e38-449e-8dee-7986a127d035';
const S2 = '00104021-153d-4b0e-a4ec-730a5556442c';
const MINUTE = 60_000;

type Auth = { token: string } | { username: string; password: string } | null;
const demoToken: Auth = { token: 'demo-token' };

const harness = useProviderHarness();

const started = (options: UpcloudSimulatorOptions = {}) => harness.start(createUpcloudSimulator({ transitionMs: 3_600_000, ...options }));

/** `path` is relative to the origin; `auth: null` sends no Authorization header; a string body is sent as is. */
async function call(sim: SimulatorServer, method: string, path: string, options: { auth?: Auth; body?: unknown } = {}): Promise<SimulatorAnswer> {
  const auth = options.auth === undefined ? demoToken : options.auth;
  const headers: Record<string, string> = {};
  if (auth && 'token' in auth) headers.authorization = `Bearer ${auth.token}`;
  if (auth && 'username' in auth) headers.authorization = basicAuth(auth.username, auth.password);
  return callSimulator(harness.dispatcher, sim, method, path, { headers, body: options.body });
}

const api = (path: string) => `/1.3${path}`;
const soft = (timeout: unknown = '60') => ({ stop_server: { stop_type: 'soft', timeout } });
const hard = { stop_server: { stop_type: 'hard' } };

describe('upcloud simulator: API', () => {
  it('answers GET /server/{uuid} under /1.3 and without it', async () => {
    const sim = await started({ resources: { [S1]: 'started' } });
    const answer = await call(sim, 'GET', api(`/server/${S1}`));
    expect(answer).toMatchObject({ status: 200, json: { server: { uuid: S1, state: 'started', zone: expect.any(String), hostname: expect.any(String) } } });
    expect(answer.headers['content-type']).toBe('application/json');
    await expect(call(sim, 'GET', `/server/${S1}`)).resolves.toMatchObject({ status: 200 });
    expect(sim.url).toMatch(/\/1\.3$/);
  });

  it('takes the demo token and the demo sub-account by default, and refuses anything else', async () => {
    const sim = await started({ resources: { [S1]: 'started' } });
    await expect(call(sim, 'GET', api(`/server/${S1}`))).resolves.toMatchObject({ status: 200 });
    await expect(call(sim, 'GET', api(`/server/${S1}`), { auth: { username: 'demo-user', password: 'demo-password' } })).resolves.toMatchObject({ status: 200 });
    for (const auth of [null, { token: 'nope' }, { username: 'demo-user', password: 'nope' }]) {
      await expect(call(sim, 'GET', api(`/server/${S1}`), { auth })).resolves.toMatchObject({
        status: 401,
        json: { error: { error_code: 'AUTHENTICATION_FAILED' } },
      });
    }
    expect(sim.requests.map((r) => r.authorized)).toEqual([true, true, false, false, false]);
  });

  it('takes the credentials it is given instead of the demo ones', async () => {
    const sim = await started({ resources: { [S1]: 'started' }, credentials: { token: 't-1', username: 'u-1', password: 'p-1' } });
    await expect(call(sim, 'GET', api(`/server/${S1}`))).resolves.toMatchObject({ status: 401 });
    await expect(call(sim, 'GET', api(`/server/${S1}`), { auth: { token: 't-1' } })).resolves.toMatchObject({ status: 200 });
    await expect(call(sim, 'GET', api(`/server/${S1}`), { auth: { username: 'u-1', password: 'p-1' } })).resolves.toMatchObject({ status: 200 });
  });

  it('answers 404 for an unknown server or endpoint and 405 for a wrong method', async () => {
    const sim = await started({ resources: { [S1]: 'started' } });
    await expect(call(sim, 'GET', api(`/server/${S2}`))).resolves.toMatchObject({ status: 404, json: { error: { error_code: 'SERVER_NOT_FOUND' } } });
    await expect(call(sim, 'POST', api(`/server/${S2}/start`), { body: { server: {} } })).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'GET', api('/account'))).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'GET', api(`/server/${S1}/stop`))).resolves.toMatchObject({ status: 405 });
    await expect(call(sim, 'POST', api(`/server/${S1}`))).resolves.toMatchObject({ status: 405 });
  });

  it('answers in application/problem+json when errorFormat is problem', async () => {
    const sim = await started({ resources: { [S1]: 'started' }, switches: { errorFormat: 'problem' } });
    const answer = await call(sim, 'GET', api(`/server/${S2}`));
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer).toMatchObject({
      status: 404,
      json: { type: 'https://developers.upcloud.com/1.3/errors#ERROR_SERVER_NOT_FOUND', title: expect.stringContaining(S2), status: 404, correlation_id: expect.any(String) },
    });
  });
});

describe('upcloud simulator: start and stop', () => {
  it('starts a stopped server: 200 still saying stopped, then started', async () => {
    const sim = await started({ resources: { [S1]: 'stopped' }, transitionMs: 30_000, timeScale: 1_000 });
    await expect(call(sim, 'POST', api(`/server/${S1}/start`), { body: { server: {} } })).resolves.toMatchObject({
      status: 200,
      json: { server: { uuid: S1, state: 'stopped' } },
    });
    expect(sim.stateOf(S1)).toBe('stopped');
    await sim.waitForState(S1, 'started');
  });

  it('takes a start without body', async () => {
    const sim = await started({ resources: { [S1]: 'stopped' } });
    await expect(call(sim, 'POST', api(`/server/${S1}/start`))).resolves.toMatchObject({ status: 200 });
  });

  it('shows the new state in the action answer when actionBody is after', async () => {
    const sim = await started({ resources: { [S1]: 'started', [S2]: 'stopped' }, switches: { actionBody: 'after' } });
    await expect(call(sim, 'POST', api(`/server/${S1}/stop`), { body: soft() })).resolves.toMatchObject({ json: { server: { state: 'stopped' } } });
    await expect(call(sim, 'POST', api(`/server/${S2}/start`), { body: { server: {} } })).resolves.toMatchObject({ json: { server: { state: 'started' } } });
    expect(sim.resources()).toEqual({ [S1]: 'started', [S2]: 'stopped' });
  });

  it('shows maintenance while the action is under way when transitionState is maintenance', async () => {
    const sim = await started({ resources: { [S1]: 'started' }, transitionMs: 30_000, timeScale: 1_000, switches: { transitionState: 'maintenance' } });
    await expect(call(sim, 'POST', api(`/server/${S1}/stop`), { body: soft() })).resolves.toMatchObject({ status: 200, json: { server: { state: 'started' } } });
    await expect(call(sim, 'GET', api(`/server/${S1}`))).resolves.toMatchObject({ json: { server: { state: 'maintenance' } } });
    await sim.waitForState(S1, 'stopped');
  });

  it.each([
    ['start', 'started'],
    ['stop', 'stopped'],
    ['start', 'maintenance'],
    ['stop', 'error'],
  ])('answers 409 SERVER_STATE_ILLEGAL to %s on a server in state %s and leaves it', async (action, state) => {
    const sim = await started({ resources: { [S1]: state } });
    const body = action === 'start' ? { server: {} } : soft();
    const generic = await call(sim, 'POST', api(`/server/${S1}/${action}`), { body });
    expect(generic).toMatchObject({ status: 409, json: { error: { error_code: 'SERVER_STATE_ILLEGAL' } } });
    expect((generic.json as { error: { error_message: string } }).error.error_message).not.toContain(state);
    expect(sim.stateOf(S1)).toBe(state);
  });

  it('names the state in the 409 message when illegalStateMessage is state', async () => {
    const sim = await started({ resources: { [S1]: 'started' }, switches: { illegalStateMessage: 'state' } });
    const answer = await call(sim, 'POST', api(`/server/${S1}/start`), { body: { server: {} } });
    expect(answer).toMatchObject({ status: 409, json: { error: { error_code: 'SERVER_STATE_ILLEGAL', error_message: expect.stringContaining("in state 'started'") } } });
  });

  it.each([
    ['a timeout of 0', soft('0'), 'TIMEOUT_INVALID'],
    ['a timeout over 600', soft('601'), 'TIMEOUT_INVALID'],
    ['a timeout that is no number', soft('1m'), 'TIMEOUT_INVALID'],
    ['a timeout that is an object', soft({ s: 60 }), 'TIMEOUT_INVALID'],
    ['an unknown stop type', { stop_server: { stop_type: 'acpi', timeout: '60' } }, 'STOP_TYPE_INVALID'],
    ['the wrong wrapper', { server: { stop_type: 'hard' } }, 'UNKNOWN_ATTRIBUTE'],
    ['no body', undefined, 'UNKNOWN_ATTRIBUTE'],
    ['a body that is not JSON', '{"stop_server": ', 'REQUEST_INVALID'],
  ])('refuses a stop with %s: 400 %s', async (_what, body, code) => {
    const sim = await started({ resources: { [S1]: 'started' } });
    await expect(call(sim, 'POST', api(`/server/${S1}/stop`), { body })).resolves.toMatchObject({ status: 400, json: { error: { error_code: code } } });
    expect(sim.stateOf(S1)).toBe('started');
  });

  it('refuses a start body other than {"server": {...}}', async () => {
    const sim = await started({ resources: { [S1]: 'stopped' } });
    await expect(call(sim, 'POST', api(`/server/${S1}/start`), { body: { start_server: {} } })).resolves.toMatchObject({ status: 400 });
  });
});

describe('upcloud simulator: stop timing', () => {
  // Only setTimeout is faked: HTTP still runs, and each transition lands when the test moves the clock.
  async function stopping(switches: Record<string, string | boolean>, body: unknown, transitionMs = 30_000): Promise<SimulatorServer> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sim = await started({ resources: { [S1]: 'started' }, transitionMs, switches });
    expect((await call(sim, 'POST', api(`/server/${S1}/stop`), { body })).status).toBe(200);
    return sim;
  }

  function expectStoppedAfter(sim: SimulatorServer, ms: number): void {
    vi.advanceTimersByTime(ms - 1);
    expect(sim.stateOf(S1)).toBe('started');
    vi.advanceTimersByTime(1);
    expect(sim.stateOf(S1)).toBe('stopped');
  }

  it('stops softly after the transition time when the guest cooperates', async () => {
    expectStoppedAfter(await stopping({}, soft('60')), 30_000);
  });

  it('turns a soft stop hard when the timeout comes first', async () => {
    expectStoppedAfter(await stopping({}, soft('10'), 30_000), 10_000 + 5_000);
  });

  it('stops a guest that ignores the soft stop only at the timeout, then hard', async () => {
    expectStoppedAfter(await stopping({ guestIgnoresSoftStop: 'true' }, soft('60')), 60_000 + 5_000);
  });

  it('never stops a guest that ignores the soft stop when the timeout was a number (accepted, ignored)', async () => {
    const sim = await stopping({ guestIgnoresSoftStop: true }, soft(60));
    vi.advanceTimersByTime(24 * 3_600_000);
    expect(sim.stateOf(S1)).toBe('started');
  });

  it('stops hard within seconds', async () => {
    expectStoppedAfter(await stopping({ guestIgnoresSoftStop: true }, hard), 5_000);
  });

  it('divides the delays by timeScale', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sim = await started({ resources: { [S1]: 'started' }, timeScale: 100, switches: { guestIgnoresSoftStop: true } });
    await call(sim, 'POST', api(`/server/${S1}/stop`), { body: soft('600') });
    expectStoppedAfter(sim, (600_000 + 5_000) / 100);
  });
});

describe('upcloud simulator: an undocumented rate limit', () => {
  it('has none unless requestsPerMinute says so', async () => {
    const sim = await started({ resources: { [S1]: 'started' } });
    for (let read = 0; read < 200; read += 1) expect((await call(sim, 'GET', api(`/server/${S1}`))).status).toBe(200);
  });

  it('allows requestsPerMinute requests of every kind per credential, then 429, and again a minute later', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { [S1]: 'stopped' }, switches: { requestsPerMinute: '3' } });
    expect((await call(sim, 'GET', api(`/server/${S1}`))).status).toBe(200);
    expect((await call(sim, 'POST', api(`/server/${S1}/start`), { body: { server: {} } })).status).toBe(200);
    expect((await call(sim, 'GET', api(`/server/${S2}`))).status).toBe(404);
    await expect(call(sim, 'GET', api(`/server/${S1}`))).resolves.toMatchObject({ status: 429, json: { error: { error_code: 'TOO_MANY_REQUESTS' } } });
    expect(sim.requests.at(-1)).toMatchObject({ status: 429, limited: true });
    // the sub-account counts apart from the token
    await expect(call(sim, 'GET', api(`/server/${S1}`), { auth: { username: 'demo-user', password: 'demo-password' } })).resolves.toMatchObject({ status: 200 });
    clock.advance(MINUTE - 1);
    expect((await call(sim, 'GET', api(`/server/${S1}`))).status).toBe(429);
    clock.advance(1);
    expect((await call(sim, 'GET', api(`/server/${S1}`))).status).toBe(200);
  });

  it('counts neither 429s nor refused credentials, divides the window by timeScale, and sends Retry-After when asked', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, timeScale: 60, resources: { [S1]: 'started' }, switches: { requestsPerMinute: '1', retryAfter: 'true' } });
    expect((await call(sim, 'GET', api(`/server/${S1}`), { auth: null })).status).toBe(401);
    expect((await call(sim, 'GET', api(`/server/${S1}`))).status).toBe(200);
    clock.advance(500);
    const limited = await call(sim, 'GET', api(`/server/${S1}`));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    clock.advance(500);
    expect((await call(sim, 'GET', api(`/server/${S1}`))).status).toBe(200);
  });
});

describe('upcloud simulator: switches, faults and control endpoints', () => {
  it('refuses unknown switches and values it cannot play', () => {
    expect(() => createUpcloudSimulator({ switches: { actionBody: 'sometimes' } })).toThrow(/\[sim upcloud\] bad switches/);
    expect(() => createUpcloudSimulator({ switches: { requestsPerMinute: '-1' } })).toThrow(/bad switches/);
    expect(() => createUpcloudSimulator({ switches: { guestIgnoresSoftStop: 'yes' } })).toThrow(/bad switches/);
    expect(() => createUpcloudSimulator({ switches: { limitScope: 'key' } })).toThrow(/bad switches/);
  });

  it('sends UpCloud-shaped garbage for a malformed fault, and forces states through /_sim/resources', async () => {
    const sim = await started({ resources: { [S1]: 'started' } });
    sim.injectFault({ kind: 'malformed', count: 1 });
    await expect(call(sim, 'GET', api(`/server/${S1}`))).resolves.toMatchObject({ status: 200, json: '{"server": {"state": "sta' });
    await expect(call(sim, 'PUT', api(`/_sim/resources/${S1}`), { body: { state: 'maintenance' } })).resolves.toMatchObject({ status: 200 });
    await expect(call(sim, 'GET', api(`/server/${S1}`))).resolves.toMatchObject({ json: { server: { state: 'maintenance' } } });
  });

  it('keeps the body sent and never the credentials in its request log', async () => {
    const sim = await started({ resources: { [S1]: 'started' }, credentials: { token: 'log-token-9a8b' } });
    await call(sim, 'POST', api(`/server/${S1}/stop`), { auth: { token: 'log-token-9a8b' }, body: soft('30') });
    const log = await call(sim, 'GET', '/_sim/requests');
    expect(log.json).toEqual([
      { at: expect.any(String), method: 'POST', path: `/1.3/server/${S1}/stop`, body: '{"stop_server":{"stop_type":"soft","timeout":"30"}}', status: 200, authorized: true, limited: false },
    ]);
    expect(JSON.stringify(log.json)).not.toContain('log-token-9a8b');
  });
});
