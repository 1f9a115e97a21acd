import { describe, expect, it, vi } from 'vitest';
import { createCloudsigmaSimulator, type CloudsigmaSimulatorOptions } from '../../../src/providers/cloudsigma/cloudsigma-simulator.ts';
import type { SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { basicAuth } from '../../support/basic-auth.ts';
import { callSimulator, type SimulatorAnswer } from '../../support/call-simulator.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const demo = { username: 'demo@example.com', password: 'demo-password' };
const SECOND = 1_000;
const MINUTE = 60_000;

const harness = useProviderHarness();

const started = (options: CloudsigmaSimulatorOptions = {}) => harness.start(createCloudsigmaSimulator({ transitionMs: 3_600_000, ...options }));

/** `path` is relative to the origin; `auth: null` sends no Authorization header. */
async function call(sim: SimulatorServer, method: string, path: string, options: { auth?: { username: string; password: string } | null; body?: string } = {}): Promise<SimulatorAnswer> {
  const auth = options.auth === undefined ? demo : options.auth;
  return callSimulator(harness.dispatcher, sim, method, path, { headers: auth ? { authorization: basicAuth(auth.username, auth.password) } : {}, body: options.body });
}

const v2 = (path: string) => `/api/2.0${path}`;
const act = (id: string, verb: string) => v2(`/servers/${id}/action/?do=${verb}`);
const U1 = '3f1c9a2e-8b4d-4e6f-a1b2-c3d4e5f60718';

describe('cloudsigma simulator: API 2.0', () => {
  it('serves the server definition under /api/2.0/ and without the prefix', async () => {
    const sim = await started({ resources: { [U1]: 'running', u2: 'stopped' } });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/2\.0$/);
    const running = await call(sim, 'GET', v2(`/servers/${U1}/`));
    expect(running).toMatchObject({ status: 200, json: { uuid: U1, status: 'running', runtime: { nics: [] }, resource_uri: `/api/2.0/servers/${U1}/` } });
    expect(running.headers['content-type']).toBe('application/json');
    await expect(call(sim, 'GET', '/servers/u2/')).resolves.toMatchObject({ status: 200, json: { uuid: 'u2', status: 'stopped', runtime: null } });
  });

  it('redirects a path without its trailing slash, before authentication, keeping the query', async () => {
    const sim = await started({ resources: { u1: 'stopped' } });
    const get = await call(sim, 'GET', v2('/servers/u1'), { auth: null });
    expect(get).toMatchObject({ status: 301, headers: { location: '/api/2.0/servers/u1/' } });
    const post = await call(sim, 'POST', v2('/servers/u1/action?do=start'), { body: '{}' });
    expect(post).toMatchObject({ status: 301, headers: { location: '/api/2.0/servers/u1/action/?do=start' } });
    expect(sim.stateOf('u1')).toBe('stopped');
  });

  it('refuses missing or wrong credentials with 401 and an error list, recorded unauthorized', async () => {
    const sim = await started({ resources: { u1: 'running' }, credentials: { username: 'a@b.c', password: 'p1' } });
    await expect(call(sim, 'GET', v2('/servers/u1/'), { auth: null })).resolves.toMatchObject({ status: 401, json: [{ error_type: 'permission', error_point: null }] });
    await expect(call(sim, 'GET', v2('/servers/u1/'), { auth: { username: 'a@b.c', password: 'nope' } })).resolves.toMatchObject({ status: 401 });
    await expect(call(sim, 'GET', v2('/servers/u1/'))).resolves.toMatchObject({ status: 401 });
    await expect(call(sim, 'GET', v2('/servers/u1/'), { auth: { username: 'a@b.c', password: 'p1' } })).resolves.toMatchObject({ status: 200 });
    expect(sim.requests.map((r) => r.authorized)).toEqual([false, false, false, true]);
  });

  it('answers 404 notexist for an unknown server or endpoint, 405 for a wrong method, 400 for an unknown action or body', async () => {
    const sim = await started({ resources: { u1: 'stopped' } });
    await expect(call(sim, 'GET', v2('/servers/zz/'))).resolves.toMatchObject({ status: 404, json: [{ error_type: 'notexist' }] });
    await expect(call(sim, 'POST', act('zz', 'start'), { body: '{}' })).resolves.toMatchObject({ status: 404, json: [{ error_type: 'notexist' }] });
    await expect(call(sim, 'GET', v2('/drives/'))).resolves.toMatchObject({ status: 404 });
    await expect(call(sim, 'DELETE', v2('/servers/u1/'))).resolves.toMatchObject({ status: 405, json: [{ error_type: 'validation' }] });
    await expect(call(sim, 'GET', act('u1', 'start'))).resolves.toMatchObject({ status: 405 });
    await expect(call(sim, 'POST', act('u1', 'reboot'), { body: '{}' })).resolves.toMatchObject({ status: 400, json: [{ error_type: 'validation', error_point: 'do' }] });
    await expect(call(sim, 'POST', v2('/servers/u1/action/'), { body: '{}' })).resolves.toMatchObject({ status: 400 });
    await expect(call(sim, 'POST', act('u1', 'start'), { body: 'do=start' })).resolves.toMatchObject({ status: 400, json: [{ error_type: 'validation' }] });
    expect(sim.stateOf('u1')).toBe('stopped');
  });

  it('starts a stopped server: 202, and starting (until its transition lands, below)', async () => {
    const sim = await started({ resources: { u1: 'stopped' } });
    await expect(call(sim, 'POST', act('u1', 'start'), { body: '{}' })).resolves.toMatchObject({
      status: 202,
      json: { action: 'start', result: 'success', uuid: 'u1' },
    });
    expect(sim.stateOf('u1')).toBe('starting');
  });

  it('takes an empty body as well as {}', async () => {
    const sim = await started({ resources: { u1: 'stopped' } });
    await expect(call(sim, 'POST', act('u1', 'start'))).resolves.toMatchObject({ status: 202 });
  });

  it.each([
    ['start', 'running', 'started', 'stopped'],
    ['start', 'stopping', 'stopping', 'stopped'],
    ['start', 'paused', 'paused', 'stopped'],
    ['stop', 'stopped', 'stopped', "['started', 'running_legacy']"],
    ['stop', 'starting', 'starting', "['started', 'running_legacy']"],
    ['shutdown', 'stopped', 'stopped', "['started', 'running_legacy']"],
    ['shutdown', 'stopping', 'stopping', "['started', 'running_legacy']"],
  ])('refuses to %s a %s server with 403 naming the guest state, and leaves it', async (verb, state, guest, needs) => {
    const sim = await started({ resources: { u1: state } });
    await expect(call(sim, 'POST', act('u1', verb), { body: '{}' })).resolves.toMatchObject({
      status: 403,
      json: [{ error_point: null, error_type: 'permission', error_message: `Cannot ${verb} guest in state "${guest}". Guest should be in state "${needs}"` }],
    });
    expect(sim.stateOf('u1')).toBe(state);
  });

  it('lets a hard stop cut an ACPI shutdown short', async () => {
    const sim = await started({ resources: { u1: 'running' } });
    expect((await call(sim, 'POST', act('u1', 'shutdown'))).status).toBe(202);
    expect((await call(sim, 'POST', act('u1', 'stop'))).status).toBe(202);
    expect(sim.stateOf('u1')).toBe('stopping');
  });
});

describe('cloudsigma simulator: API 1.0', () => {
  it('serves info as text/plain key/value pairs, under /servers and /guests', async () => {
    const sim = await started({ resources: { [U1]: 'active' } });
    const info = await call(sim, 'GET', `/servers/${U1}/info`);
    expect(info.status).toBe(200);
    expect(info.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(info.text).toBe(`status active\nname server-${U1}\nserver ${U1}\ncpu 2000\nmem 2048\nsmp 1\npersistent true\n`);
    await expect(call(sim, 'GET', `/guests/${U1}/info`)).resolves.toMatchObject({ status: 200 });
  });

  it('answers errors as text: 401, 404 and 405 for the wrong method', async () => {
    const sim = await started({ resources: { u1: 'stopped' } });
    await expect(call(sim, 'GET', '/servers/u1/info', { auth: null })).resolves.toMatchObject({ status: 401, text: 'Unauthorized\n' });
    await expect(call(sim, 'GET', '/servers/zz/info')).resolves.toMatchObject({ status: 404, text: 'server zz not found\n' });
    await expect(call(sim, 'GET', '/servers/u1/start')).resolves.toMatchObject({ status: 405, text: 'GET used on command expecting POST\n' });
    await expect(call(sim, 'POST', '/servers/u1/info')).resolves.toMatchObject({ status: 405 });
    expect(sim.stateOf('u1')).toBe('stopped');
  });

  it('starts with 200 and the server’s pairs (active at once), or 204 when legacyStartReply is empty', async () => {
    const info = await started({ resources: { u1: 'stopped' } });
    const answer = await call(info, 'POST', '/servers/u1/start');
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^status active\n/);
    expect(info.stateOf('u1')).toBe('starting');
    await expect(call(info, 'GET', '/servers/u1/info')).resolves.toMatchObject({ text: expect.stringMatching(/^status active\n/) });
    const empty = await started({ resources: { u1: 'stopped' }, switches: { legacyStartReply: 'empty' } });
    await expect(call(empty, 'POST', '/servers/u1/start')).resolves.toMatchObject({ status: 204, text: '' });
  });

  it('stops and shuts down with 204, still active while the guest powers off', async () => {
    const sim = await started({ resources: { u1: 'active', u2: 'active' } });
    await expect(call(sim, 'POST', '/servers/u1/stop')).resolves.toMatchObject({ status: 204 });
    await expect(call(sim, 'POST', '/servers/u2/shutdown')).resolves.toMatchObject({ status: 204 });
    expect(sim.resources()).toMatchObject({ u1: 'stopping', u2: 'stopping' });
    await expect(call(sim, 'GET', '/servers/u2/info')).resolves.toMatchObject({ text: expect.stringMatching(/^status active\n/) });
  });

  it.each([
    ['busy', 'start', 'active', 409],
    ['bad-request', 'start', 'active', 400],
    ['no-op', 'start', 'active', 200],
    ['busy', 'stop', 'stopped', 409],
    ['bad-request', 'shutdown', 'stopped', 400],
    ['no-op', 'shutdown', 'stopped', 204],
  ])('plays the %s reading of "already" for %s on a %s server', async (legacyAlready, verb, state, status) => {
    const sim = await started({ resources: { u1: state }, switches: { legacyAlready } });
    await expect(call(sim, 'POST', `/servers/u1/${verb}`)).resolves.toMatchObject({ status });
    expect(sim.stateOf('u1')).toBe(state);
  });

  it.each(['no-op', 'bad-request'])('answers busy (409) to a server in no state to act, whatever legacyAlready (%s)', async (legacyAlready) => {
    const sim = await started({ resources: { u1: 'paused', u2: 'dead' }, switches: { legacyAlready } });
    await expect(call(sim, 'POST', '/servers/u1/start')).resolves.toMatchObject({ status: 409, text: 'server u1 is busy (paused); cannot start\n' });
    await expect(call(sim, 'POST', '/servers/u2/shutdown')).resolves.toMatchObject({ status: 409 });
  });
});

describe('cloudsigma simulator: one store, both vocabularies', () => {
  it.each([
    ['active', 'running', 'active'],
    ['running', 'running', 'active'],
    ['starting', 'starting', 'active'],
    ['stopping', 'stopping', 'active'],
    ['stopped', 'stopped', 'stopped'],
    ['paused', 'paused', 'paused'],
    ['unavailable', 'unavailable', 'dead'],
    ['dumped', 'unavailable', 'dumped'],
    ['dead', 'unavailable', 'dead'],
  ])('a server set %s reads %s in 2.0 and %s in 1.0', async (raw, current, legacy) => {
    const sim = await started({ resources: { u1: raw } });
    await expect(call(sim, 'GET', v2('/servers/u1/'))).resolves.toMatchObject({ json: { status: current } });
    await expect(call(sim, 'GET', '/servers/u1/info')).resolves.toMatchObject({ text: expect.stringMatching(new RegExp(`^status ${legacy}\\n`)) });
  });

  it('acts on a server set in the other vocabulary', async () => {
    const sim = await started({ resources: { u1: 'active', u2: 'running' } });
    await expect(call(sim, 'POST', act('u1', 'start'))).resolves.toMatchObject({ status: 403 });
    await expect(call(sim, 'POST', act('u1', 'stop'))).resolves.toMatchObject({ status: 202 });
    await expect(call(sim, 'POST', '/servers/u2/shutdown')).resolves.toMatchObject({ status: 204 });
  });
});

describe('cloudsigma simulator: transitions', () => {
  // Only the timers transitions use are faked: HTTP keeps its own.
  const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

  it.each([
    ['2.0 start', 'stopped', act('u1', 'start'), 'starting', 30 * SECOND, 'running'],
    ['2.0 hard stop', 'running', act('u1', 'stop'), 'stopping', 5 * SECOND, 'stopped'],
    ['2.0 ACPI shutdown', 'running', act('u1', 'shutdown'), 'stopping', 60 * SECOND, 'stopped'],
    ['1.0 start', 'stopped', '/servers/u1/start', 'starting', 30 * SECOND, 'active'],
    ['1.0 hard stop', 'active', '/servers/u1/stop', 'stopping', 5 * SECOND, 'stopped'],
    ['1.0 ACPI shutdown', 'active', '/servers/u1/shutdown', 'stopping', 60 * SECOND, 'stopped'],
  ] as const)('%s: %s, then %s for its time (30 s start by default, divided by timeScale), then %s', async (_what, from, path, via, ms, to) => {
    const sim = await started({ resources: { u1: from }, transitionMs: undefined, timeScale: 10 });
    fakeTimers();
    expect((await call(sim, 'POST', path)).status).toBeLessThan(300);
    expect(sim.stateOf('u1')).toBe(via);
    vi.advanceTimersByTime(ms / 10 - 1);
    expect(sim.stateOf('u1')).toBe(via);
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('u1')).toBe(to);
  });

  it.each([
    ['2.0', act('u1', 'shutdown'), 'running'],
    ['1.0', '/servers/u1/shutdown', 'active'],
  ] as const)('%s: a guest that ignores ACPI is stopping for the shutdown time, then %s again', async (_api, path, back) => {
    const sim = await started({ resources: { u1: back }, transitionMs: 10 * SECOND, switches: { acpiIgnored: 'true' } });
    fakeTimers();
    expect((await call(sim, 'POST', path)).status).toBeLessThan(300);
    expect(sim.stateOf('u1')).toBe('stopping');
    vi.advanceTimersByTime(20 * SECOND - 1);
    expect(sim.stateOf('u1')).toBe('stopping');
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('u1')).toBe(back);
  });
});

describe('cloudsigma simulator: limits', () => {
  it('allows the documented 10,000 GETs per minute per account, then 429, and counts POSTs apart', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { u1: 'running', u2: 'stopped' } });
    for (let batch = 0; batch < 500; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => call(sim, 'GET', i % 2 ? v2('/servers/u1/') : '/servers/u1/info')));
      expect(answers.every((answer) => answer.status === 200)).toBe(true);
    }
    await expect(call(sim, 'GET', v2('/servers/u2/'))).resolves.toMatchObject({ status: 429, json: [{ error_type: 'permission' }] });
    await expect(call(sim, 'GET', '/servers/u2/info')).resolves.toMatchObject({ status: 429, text: 'Request was throttled: 10000 GET requests per minute\n' });
    expect(sim.requests.at(-1)).toMatchObject({ status: 429, limited: true });
    await expect(call(sim, 'POST', act('u2', 'start'))).resolves.toMatchObject({ status: 202 });
    clock.advance(MINUTE);
    await expect(call(sim, 'GET', v2('/servers/u2/'))).resolves.toMatchObject({ status: 200 });
  });

  it('opens the window a minute after the oldest request, divided by timeScale, and does not count a 429', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, timeScale: 60, requestsPerMinute: 2, resources: { u1: 'running' } });
    await call(sim, 'GET', v2('/servers/u1/'));
    clock.advance(500);
    await call(sim, 'GET', v2('/servers/u1/'));
    clock.advance(499);
    expect((await call(sim, 'GET', v2('/servers/u1/'))).status).toBe(429);
    clock.advance(1);
    expect((await call(sim, 'GET', v2('/servers/u1/'))).status).toBe(200);
    expect((await call(sim, 'GET', v2('/servers/u1/'))).status).toBe(429);
    clock.advance(500);
    expect((await call(sim, 'GET', v2('/servers/u1/'))).status).toBe(200);
  });

  it('counts every answered request, refusals included, but not refused credentials', async () => {
    const sim = await started({ requestsPerMinute: 2, resources: { u1: 'running' } });
    expect((await call(sim, 'POST', act('u1', 'start'))).status).toBe(403);
    expect((await call(sim, 'POST', act('u1', 'stop'), { auth: null })).status).toBe(401);
    expect((await call(sim, 'POST', act('zz', 'stop'))).status).toBe(404);
    expect((await call(sim, 'POST', act('u1', 'stop'))).status).toBe(429);
  });

  it('sends Retry-After in whole seconds only when retryAfter is on', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const quiet = await started({ clock, requestsPerMinute: 1, resources: { u1: 'running' } });
    const loud = await started({ clock, requestsPerMinute: 1, resources: { u1: 'running' }, switches: { retryAfter: 'true' } });
    for (const sim of [quiet, loud]) await call(sim, 'GET', v2('/servers/u1/'));
    clock.advance(20 * SECOND + 500);
    const [withoutHeader, withHeader] = [await call(quiet, 'GET', v2('/servers/u1/')), await call(loud, 'GET', v2('/servers/u1/'))];
    expect(withoutHeader.status).toBe(429);
    expect(withoutHeader.headers['retry-after']).toBeUndefined();
    expect(withHeader.status).toBe(429);
    expect(withHeader.headers['retry-after']).toBe('40');
  });
});

describe('cloudsigma simulator: options, switches and the request log', () => {
  it.each([
    [{ acpiIgnored: 'maybe' }],
    [{ legacyAlready: 'ignore' }],
    [{ legacyStartReply: 'json' }],
    [{ retryAfterr: true }],
  ])('refuses switches it cannot play: %o', (switches) => {
    expect(() => createCloudsigmaSimulator({ switches })).toThrow(/^\[sim cloudsigma\] bad switches/);
  });

  it('refuses a limit that is not a positive whole number', () => {
    expect(() => createCloudsigmaSimulator({ requestsPerMinute: 0 })).toThrow(/requestsPerMinute/);
    expect(() => createCloudsigmaSimulator({ requestsPerMinute: 1.5 })).toThrow(/requestsPerMinute/);
  });

  it('accepts the demo credentials when given none', async () => {
    const sim = await started({ resources: { u1: 'running' } });
    await expect(call(sim, 'GET', v2('/servers/u1/'), { auth: demo })).resolves.toMatchObject({ status: 200 });
  });

  it('plays faults and logs requests with bodies but never credentials', async () => {
    const sim = await started({ resources: { u1: 'stopped' }, credentials: { username: 'log@example.com', password: 'log-password-3' } });
    const auth = { username: 'log@example.com', password: 'log-password-3' };
    sim.injectFault({ kind: 'error', status: 503, match: 'GET /api/2.0/servers/u1/', count: 1 });
    expect((await call(sim, 'GET', v2('/servers/u1/'), { auth })).status).toBe(503);
    expect((await call(sim, 'POST', act('u1', 'start'), { auth, body: '{}' })).status).toBe(202);
    const log = await call(sim, 'GET', '/_sim/requests');
    expect(log.json).toEqual([
      { at: expect.any(String), method: 'GET', path: '/api/2.0/servers/u1/', body: '', status: 503, authorized: true, limited: false, fault: 'error' },
      { at: expect.any(String), method: 'POST', path: '/api/2.0/servers/u1/action/?do=start', body: '{}', status: 202, authorized: true, limited: false },
    ]);
    for (const secret of ['log-password-3', Buffer.from('log@example.com:log-password-3').toString('base64')]) expect(log.text).not.toContain(secret);
  });
});
