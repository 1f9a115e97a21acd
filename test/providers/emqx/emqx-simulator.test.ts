import { describe, expect, it, vi } from 'vitest';
import { createEmqxSimulator, type EmqxSimulatorOptions } from '../../../src/providers/emqx/emqx-simulator.ts';
import type { SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { callSimulator, type SimulatorAnswer } from '../../support/call-simulator.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const demo = { key: 'demo-key', secret: 'demo-secret' };
const MINUTE = 60_000;

const harness = useProviderHarness();

const started = (options: EmqxSimulatorOptions = {}) => harness.start(createEmqxSimulator({ transitionMs: 3_600_000, ...options }));

/** `path` is relative to the origin; `auth: null` sends no Authorization header. */
async function call(sim: SimulatorServer, method: string, path: string, options: { auth?: { key: string; secret: string } | null; body?: object } = {}): Promise<SimulatorAnswer> {
  const auth = options.auth === undefined ? demo : options.auth;
  return callSimulator(harness.dispatcher, sim, method, path, { headers: auth ? { authorization: basicAuth(auth.key, auth.secret) } : {}, body: options.body });
}

const api = (path: string) => `/public_api/v1${path}`;

describe('emqx simulator: API', () => {
  it('answers status under the documented prefix and without it', async () => {
    const sim = await started({ resources: { w41b11c0: 'running' } });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/public_api\/v1$/);
    const documented = {
      connections: 1000,
      createAt: '2024-07-22 05:32',
      deploymentID: 'w41b11c0',
      deploymentName: 'deployment-w41b11c0',
      deploymentType: 'dedicated',
      platform: 'AWS',
      region: 'N. Virginia (us-east-1)',
      status: 'running',
    };
    await expect(call(sim, 'GET', api('/deployments/w41b11c0'))).resolves.toMatchObject({ status: 200, json: documented });
    await expect(call(sim, 'GET', '/deployments/w41b11c0')).resolves.toMatchObject({ status: 200, json: documented });
  });

  it('refuses missing or wrong credentials with 401 and records them unauthorized', async () => {
    const sim = await started({ resources: { d1: 'running' }, credentials: { key: 'k1', secret: 's1' } });
    await expect(call(sim, 'GET', api('/deployments/d1'), { auth: null })).resolves.toMatchObject({ status: 401, json: { code: 'UNAUTHORIZED' } });
    await expect(call(sim, 'GET', api('/deployments/d1'), { auth: { key: 'k1', secret: 'nope' } })).resolves.toMatchObject({ status: 401 });
    await expect(call(sim, 'GET', api('/deployments/d1'), { auth: demo })).resolves.toMatchObject({ status: 401 });
    await expect(call(sim, 'GET', api('/deployments/d1'), { auth: { key: 'k1', secret: 's1' } })).resolves.toMatchObject({ status: 200 });
    expect(sim.requests.map((r) => r.authorized)).toEqual([false, false, false, true]);
  });

  it('answers 404 for an unknown deployment or endpoint and 405 for a wrong method', async () => {
    const sim = await started({ resources: { d1: 'running' } });
    await expect(call(sim, 'GET', api('/deployments/zz'))).resolves.toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
    await expect(call(sim, 'POST', api('/deployments/zz/start'))).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'GET', api('/projects'))).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'GET', api('/deployments/d1/start'))).resolves.toMatchObject({ status: 405 });
    await expect(call(sim, 'POST', api('/deployments/d1'))).resolves.toMatchObject({ status: 405 });
  });

  it('starts a stopped deployment: 201, starting, then running', async () => {
    const sim = await started({ resources: { d1: 'stopped' }, transitionMs: 30_000, timeScale: 1_000 });
    await expect(call(sim, 'POST', api('/deployments/d1/start'))).resolves.toMatchObject({
      status: 201,
      json: { deploymentID: 'd1', deploymentName: 'deployment-d1', operation: 'starting' },
    });
    expect(sim.stateOf('d1')).toBe('starting');
    await sim.waitForState('d1', 'running');
  });

  it('shows pending while starting when startingLabel says so', async () => {
    const sim = await started({ resources: { d1: 'stopped' }, switches: { startingLabel: 'pending' } });
    await call(sim, 'POST', api('/deployments/d1/start'));
    await expect(call(sim, 'GET', api('/deployments/d1'))).resolves.toMatchObject({ json: { status: 'pending' } });
  });

  it('stops a running deployment: 201, stopping, then stopped', async () => {
    // 1.5 s of stopping: long enough to be seen however busy the machine is
    const sim = await started({ resources: { d1: 'running' }, transitionMs: 30_000, timeScale: 20 });
    await expect(call(sim, 'POST', api('/deployments/d1/stop'))).resolves.toMatchObject({ status: 201, json: { operation: 'stopping' } });
    expect(sim.stateOf('d1')).toBe('stopping');
    await sim.waitForState('d1', 'stopped');
  });

  it.each([
    ['start', 'running'],
    ['start', 'stopping'],
    ['stop', 'stopped'],
    ['stop', 'starting'],
  ])('answers 422 to %s on a %s deployment and leaves it', async (action, state) => {
    const sim = await started({ resources: { d1: state } });
    const answer = await call(sim, 'POST', api(`/deployments/d1/${action}`));
    expect(answer).toMatchObject({ status: 422, json: { code: 'INVALID_DEPLOYMENT_STATUS' } });
    expect((answer.json as { message: string }).message).toContain(state);
    expect(sim.stateOf('d1')).toBe(state);
  });

  it('sends numeric error codes when errorCode is number', async () => {
    const sim = await started({ resources: { d1: 'running' }, switches: { errorCode: 'number' } });
    await expect(call(sim, 'POST', api('/deployments/d1/start'))).resolves.toMatchObject({ status: 422, json: { code: 422 } });
    await expect(call(sim, 'GET', api('/deployments/zz'))).resolves.toMatchObject({ json: { code: 404 } });
  });

  it('refuses unknown switches', () => {
    expect(() => createEmqxSimulator({ switches: { limitScope: 'region' } })).toThrow(/\[sim emqx\] bad switches/);
    expect(() => createEmqxSimulator({ switches: { retryAfterr: true } })).toThrow(/bad switches/);
  });
});

describe('emqx simulator: limits', () => {
  it('allows 60 status reads per 60 minutes per deployment, then 429', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { d1: 'running', d2: 'running' } });
    for (let read = 0; read < 60; read += 1) expect((await call(sim, 'GET', api('/deployments/d1'))).status).toBe(200);
    await expect(call(sim, 'GET', api('/deployments/d1'))).resolves.toMatchObject({ status: 429, json: { code: 'TOO_MANY_REQUESTS' } });
    expect(sim.requests.at(-1)).toMatchObject({ status: 429, limited: true });
    await expect(call(sim, 'GET', api('/deployments/d2'))).resolves.toMatchObject({ status: 200 });
  });

  it('allows one start per 60 minutes, counted apart from stop, and opens the window again after it', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { d1: 'stopped' } });
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(201);
    sim.setState('d1', 'stopped');
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(429);
    sim.setState('d1', 'running');
    expect((await call(sim, 'POST', api('/deployments/d1/stop'))).status).toBe(201);
    sim.setState('d1', 'stopped');
    clock.advance(60 * MINUTE - 1);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(429);
    clock.advance(1);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(201);
  });

  it('divides the windows by timeScale', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, timeScale: 60, resources: { d1: 'stopped' } });
    await call(sim, 'POST', api('/deployments/d1/start'));
    sim.setState('d1', 'stopped');
    clock.advance(MINUTE - 1);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(429);
    clock.advance(1);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(201);
  });

  it('does not count a 429 against the window', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { d1: 'stopped' } });
    await call(sim, 'POST', api('/deployments/d1/start'));
    sim.setState('d1', 'stopped');
    clock.advance(30 * MINUTE);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(429);
    clock.advance(30 * MINUTE);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(201);
  });

  it.each([
    ['deployment', [201, 201]],
    ['key', [201, 429]],
    ['account', [201, 429]],
  ])('counts starts per %s', async (limitScope, statuses) => {
    const sim = await started({ resources: { d1: 'stopped', d2: 'stopped' }, switches: { limitScope } });
    const answers = [await call(sim, 'POST', api('/deployments/d1/start')), await call(sim, 'POST', api('/deployments/d2/start'))];
    expect(answers.map((answer) => answer.status)).toEqual(statuses);
  });

  it.each([
    [true, 429],
    ['false', 201],
  ])('uses up the window with a 422 when countRejected is %s', async (countRejected, then) => {
    const sim = await started({ resources: { d1: 'running' }, switches: { countRejected } });
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(422);
    sim.setState('d1', 'stopped');
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(then);
  });

  it('sends Retry-After in whole seconds only when retryAfter is on', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const quiet = await started({ clock, resources: { d1: 'running' } });
    const loud = await started({ clock, resources: { d1: 'running' }, switches: { retryAfter: 'true' } });
    for (const sim of [quiet, loud]) {
      await call(sim, 'POST', api('/deployments/d1/stop'));
      sim.setState('d1', 'running');
    }
    clock.advance(20 * MINUTE + 500);
    const [withoutHeader, withHeader] = [await call(quiet, 'POST', api('/deployments/d1/stop')), await call(loud, 'POST', api('/deployments/d1/stop'))];
    expect(withoutHeader.status).toBe(429);
    expect(withoutHeader.headers['retry-after']).toBeUndefined();
    expect(withHeader.status).toBe(429);
    expect(withHeader.headers['retry-after']).toBe('2400');
  });

  it('does not count refused credentials', async () => {
    const sim = await started({ resources: { d1: 'stopped' } });
    expect((await call(sim, 'POST', api('/deployments/d1/start'), { auth: null })).status).toBe(401);
    expect((await call(sim, 'POST', api('/deployments/d1/start'))).status).toBe(201);
  });
});

describe('emqx simulator: transitions', () => {
  it('lands a transition after transitionMs / timeScale', () => {
    vi.useFakeTimers();
    const sim = createEmqxSimulator({ resources: { d1: 'starting' }, transitionMs: 30_000, timeScale: 10 });
    harness.defer(() => sim.close());
    sim.transitionLater('d1', 'running');
    vi.advanceTimersByTime(2_999);
    expect(sim.stateOf('d1')).toBe('starting');
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('d1')).toBe('running');
  });

  it('cancels a pending transition on setState and on close', async () => {
    vi.useFakeTimers();
    const sim = createEmqxSimulator({ resources: { d1: 'starting', d2: 'stopping' }, transitionMs: 1_000 });
    harness.defer(() => sim.close());
    sim.transitionLater('d1', 'running');
    sim.transitionLater('d2', 'stopped');
    sim.setState('d1', 'stopped');
    await sim.close();
    vi.advanceTimersByTime(5_000);
    expect(sim.resources()).toEqual({ d1: 'stopped', d2: 'stopping' });
  });
});

describe('emqx simulator: faults, control endpoints and request log', () => {
  it('injects faults by match and count through /_sim/faults, and clears them', async () => {
    const sim = await started({ resources: { d1: 'running', d2: 'running' } });
    await expect(call(sim, 'POST', '/_sim/faults', { body: { kind: 'error', status: 500, match: 'GET /public_api/v1/deployments/d1', count: 1 } })).resolves.toMatchObject({
      status: 201,
    });
    await expect(call(sim, 'POST', '/_sim/faults', { body: { kind: 'error', status: 502, match: '/d2' } })).resolves.toMatchObject({ status: 201 });
    expect((await call(sim, 'GET', api('/deployments/d1'))).status).toBe(500);
    expect((await call(sim, 'GET', api('/deployments/d1'))).status).toBe(200);
    expect((await call(sim, 'GET', api('/deployments/d2'))).status).toBe(502);
    expect((await call(sim, 'GET', api('/deployments/d2'))).status).toBe(502);
    expect((await call(sim, 'DELETE', '/_sim/faults')).status).toBe(204);
    expect((await call(sim, 'GET', api('/deployments/d2'))).status).toBe(200);
    expect(sim.requests.map((r) => r.fault)).toEqual(['error', undefined, 'error', 'error', undefined]);
  });

  it('refuses a fault it cannot play', async () => {
    const sim = await started();
    await expect(call(sim, 'POST', '/_sim/faults', { body: { kind: 'explode' } })).resolves.toMatchObject({ status: 400 });
    await expect(call(sim, 'POST', '/_sim/faults', { body: { kind: 'error', count: 0 } })).resolves.toMatchObject({ status: 400 });
  });

  it('drops the connection, sends garbage, or answers late', async () => {
    const sim = await started({ resources: { d1: 'running' } });
    sim.injectFault({ kind: 'drop', count: 1 });
    await expect(call(sim, 'GET', api('/deployments/d1'))).rejects.toThrow();
    sim.injectFault({ kind: 'malformed', count: 1 });
    const garbage = await call(sim, 'GET', api('/deployments/d1'));
    expect(garbage.status).toBe(200);
    expect(typeof garbage.json).toBe('string');
    sim.injectFault({ kind: 'slow', delayMs: 10, count: 1 });
    await expect(call(sim, 'GET', api('/deployments/d1'))).resolves.toMatchObject({ status: 200, json: { status: 'running' } });
    expect(sim.requests.map(({ status, fault }) => ({ status, fault }))).toEqual([
      { status: 0, fault: 'drop' },
      { status: 200, fault: 'malformed' },
      { status: 200, fault: 'slow' },
    ]);
  });

  it('lists and forces resource states through /_sim/resources, under any prefix', async () => {
    const sim = await started({ resources: { d1: 'running' } });
    await expect(call(sim, 'GET', '/_sim/resources')).resolves.toMatchObject({ status: 200, json: { d1: 'running' } });
    await expect(call(sim, 'PUT', api('/_sim/resources/new%2F1'), { body: { state: 'stopped' } })).resolves.toMatchObject({
      status: 200,
      json: { id: 'new/1', state: 'stopped' },
    });
    expect(sim.stateOf('new/1')).toBe('stopped');
    await expect(call(sim, 'PUT', '/_sim/resources/d1', { body: { status: 'stopped' } })).resolves.toMatchObject({ status: 400 });
    await expect(call(sim, 'GET', '/_sim/nothing')).resolves.toMatchObject({ status: 404 });
  });

  it('serves its request log, without control requests or credentials', async () => {
    const sim = await started({ resources: { d1: 'stopped' }, credentials: { key: 'log-key-1', secret: 'log-secret-2' } });
    await call(sim, 'POST', api('/deployments/d1/start?dry=1'), { auth: { key: 'log-key-1', secret: 'log-secret-2' }, body: { x: 1 } });
    await call(sim, 'GET', api('/deployments/d1'), { auth: { key: 'log-key-1', secret: 'wrong' } });
    const log = await call(sim, 'GET', '/_sim/requests');
    expect(log.json).toEqual([
      { at: expect.any(String), method: 'POST', path: '/public_api/v1/deployments/d1/start?dry=1', body: '{"x":1}', status: 201, authorized: true, limited: false },
      { at: expect.any(String), method: 'GET', path: '/public_api/v1/deployments/d1', body: '', status: 401, authorized: false, limited: false },
    ]);
    const text = JSON.stringify(log.json);
    for (const secret of ['log-secret-2', Buffer.from('log-key-1:log-secret-2').toString('base64')]) expect(text).not.toContain(secret);
  });

  it('waits for requests already seen or still to come, counting matches', async () => {
    const sim = await started({ resources: { d1: 'running' } });
    await call(sim, 'GET', api('/deployments/d1'));
    await expect(sim.waitForRequest('GET /public_api/v1/deployments/d1')).resolves.toMatchObject({ status: 200 });
    const third = sim.waitForRequest((r) => r.path.endsWith('/d1'), 3);
    const stop = sim.waitForRequest('POST');
    await call(sim, 'GET', api('/deployments/d1'));
    await call(sim, 'POST', api('/deployments/d1/stop'));
    await call(sim, 'GET', api('/deployments/d1'));
    await expect(third).resolves.toBe(sim.requests[3]);
    await expect(stop).resolves.toMatchObject({ method: 'POST', status: 201 });
  });

  it('rejects pending waits when it closes', async () => {
    const sim = await started({ resources: { d1: 'stopped' } });
    const request = sim.waitForRequest('never');
    const state = sim.waitForState('d1', 'running');
    await sim.close();
    await expect(request).rejects.toThrow('[sim emqx] closed');
    await expect(state).rejects.toThrow('[sim emqx] closed');
  });
});
