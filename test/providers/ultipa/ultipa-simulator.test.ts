import { describe, expect, it, vi } from 'vitest';
import { createUltipaSimulator, ULTIPA_DEMO_API_KEY, type UltipaSimulatorOptions } from '../../../src/providers/ultipa/ultipa-simulator.ts';
import type { SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { callSimulator, type SimulatorAnswer } from '../../support/call-simulator.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const MINUTE = 60_000;

const harness = useProviderHarness();

const started = (options: UltipaSimulatorOptions = {}) => harness.start(createUltipaSimulator({ transitionMs: 3_600_000, ...options }));

/** `path` is relative to the origin; `apiKey: null` sends no api_key header. */
async function call(sim: SimulatorServer, method: string, path: string, options: { apiKey?: string | null; body?: unknown } = {}): Promise<SimulatorAnswer> {
  const apiKey = options.apiKey === undefined ? ULTIPA_DEMO_API_KEY : options.apiKey;
  const headers = { ...(apiKey === null ? {} : { api_key: apiKey }), 'content-type': 'application/json' };
  return callSimulator(harness.dispatcher, sim, method, path, { headers, body: options.body });
}

const api = (path: string) => `/open/dbaas/v1${path}`;
const ok = (data: unknown) => ({ status: 200, json: { code: 200, message: 'success', data } });
const readState = (sim: SimulatorServer, ids: string[], kind = 'instance') => call(sim, 'POST', api(`/${kind}/state`), { body: { [`${kind}Ids`]: ids } });
const act = (sim: SimulatorServer, action: string, id: string, kind = 'instance') => call(sim, 'POST', api(`/${kind}/${action}`), { body: { [`${kind}Id`]: id } });
const code = (answer: SimulatorAnswer) => (answer.json as { code?: number }).code;

describe('ultipa simulator: API', () => {
  it('answers POST /instance/state as documented, leaving unknown ids out', async () => {
    const sim = await started({ resources: { 'ultipa-abc123': 'RUNNING', 'ultipa-abc456': 'STOPPED' } });
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/open\/dbaas\/v1$/);
    await expect(readState(sim, ['ultipa-abc123', 'nope', 'ultipa-abc456'])).resolves.toMatchObject(
      ok([
        { instanceId: 'ultipa-abc123', instanceState: 'RUNNING', name: 'instance ultipa-abc123' },
        { instanceId: 'ultipa-abc456', instanceState: 'STOPPED', name: 'instance ultipa-abc456' },
      ]),
    );
    await expect(call(sim, 'POST', '/instance/state', { body: { instanceIds: ['ultipa-abc123'] } })).resolves.toMatchObject({ status: 200 });
  });

  it('speaks the cluster generation under /cluster with its own field names', async () => {
    const sim = await started({ resources: { c1: 'STOPPED' } });
    await expect(readState(sim, ['c1'], 'cluster')).resolves.toMatchObject(ok([{ clusterId: 'c1', clusterState: 'STOPPED', name: 'cluster c1' }]));
    await expect(act(sim, 'start', 'c1', 'cluster')).resolves.toMatchObject(ok(null));
    // one namespace: the instance API sees the same resource, busy starting
    await expect(act(sim, 'stop', 'c1', 'instance').then(code)).resolves.toBe(405);
    // an instance-style body is not a cluster request
    await expect(call(sim, 'POST', api('/cluster/stop'), { body: { instanceId: 'c1' } }).then(code)).resolves.toBe(400);
  });

  it('starts a stopped instance in the background: code 200, data null, then RUNNING', async () => {
    const sim = await started({ resources: { i1: 'STOPPED' }, transitionMs: 30_000, timeScale: 1_000 });
    await expect(act(sim, 'start', 'i1')).resolves.toMatchObject(ok(null));
    expect(sim.stateOf('i1')).toBe('STARTING');
    await sim.waitForState('i1', 'RUNNING');
    await expect(readState(sim, ['i1'])).resolves.toMatchObject(ok([{ instanceState: 'RUNNING' }]));
  });

  it('stops a running instance: STOPPING, then STOPPED', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' }, transitionMs: 30_000, timeScale: 1_000 });
    await expect(act(sim, 'stop', 'i1')).resolves.toMatchObject(ok(null));
    await expect(readState(sim, ['i1'])).resolves.toMatchObject(ok([{ instanceState: 'STOPPING' }]));
    await sim.waitForState('i1', 'STOPPED');
  });

  it.each([
    ['start', 'RUNNING'],
    ['start', 'STOPPING'],
    ['start', 'TERMINATED'],
    ['stop', 'STOPPED'],
    ['stop', 'STARTING'],
    ['stop', 'UPDATING'],
  ])('answers 405 to %s on a %s instance and leaves it', async (action, state) => {
    const sim = await started({ resources: { i1: state } });
    await expect(act(sim, action, 'i1')).resolves.toMatchObject({ status: 200, json: { code: 405, data: null } });
    expect(sim.stateOf('i1')).toBe(state);
  });

  it('answers 1217 to an action on an unknown instance', async () => {
    const sim = await started();
    await expect(act(sim, 'start', 'nope')).resolves.toMatchObject({ status: 200, json: { code: 1217, message: 'The instance does not exist' } });
  });

  it('answers 400 to a body it cannot read', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' } });
    for (const body of ['{"instanceIds": "i1"}', 'not json', '{}']) {
      await expect(call(sim, 'POST', api('/instance/state'), { body }).then(code)).resolves.toBe(400);
    }
    await expect(call(sim, 'POST', api('/instance/start'), { body: { instanceId: 7 } }).then(code)).resolves.toBe(400);
  });

  it('answers like a web framework, without an envelope, to an unknown path or a wrong method', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' } });
    await expect(call(sim, 'POST', api('/manager/state'))).resolves.toMatchObject({ status: 404, json: { status: 404, error: 'Not Found' } });
    await expect(call(sim, 'GET', api('/instance/state'))).resolves.toMatchObject({ status: 405, json: { status: 405, error: 'Method Not Allowed' } });
    await expect(call(sim, 'POST', api('/instance/list'))).resolves.toMatchObject({ status: 405 });
  });

  it('lists instances with the documented filter, search and paging', async () => {
    const sim = await started({ resources: { 'ultipa-a1': 'RUNNING', 'ultipa-a2': 'STOPPED', 'ultipa-b1': 'RUNNING', 'ultipa-b2': 'TERMINATED' } });
    const ids = (answer: SimulatorAnswer) => (answer.json as { data: { list: { instanceId: string }[] } }).data.list.map((item) => item.instanceId);
    const all = await call(sim, 'GET', api('/instance/list'));
    expect(all).toMatchObject(ok({ page: 1, size: 999, totalPages: 1, totalElements: 4 }));
    expect(ids(await call(sim, 'GET', api('/instance/list?instanceStateFilter=2')))).toEqual(['ultipa-a1', 'ultipa-b1']);
    expect(ids(await call(sim, 'GET', api('/instance/list?instanceStateFilter=3')))).toEqual(['ultipa-a2']);
    expect(ids(await call(sim, 'GET', api('/instance/list?instanceStateFilter=4')))).toEqual(['ultipa-b2']);
    expect(ids(await call(sim, 'GET', api('/instance/list?search=ultipa-b')))).toEqual(['ultipa-b1', 'ultipa-b2']);
    const page = await call(sim, 'GET', api('/instance/list?page=2&size=3'));
    expect(page).toMatchObject(ok({ page: 2, size: 3, totalPages: 2, totalElements: 4 }));
    expect(ids(page)).toEqual(['ultipa-b2']);
    await expect(call(sim, 'GET', api('/cluster/list'))).resolves.toMatchObject(ok({ size: 20, list: expect.arrayContaining([expect.objectContaining({ clusterId: 'ultipa-a1' })]) }));
    await expect(call(sim, 'GET', api('/instance/list?instanceStateFilter=9')).then(code)).resolves.toBe(400);
  });

  it('refuses a missing key with 1301 and an unknown one with 1302', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' }, credentials: { apiKey: 'k1' } });
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(1302);
    await expect(call(sim, 'POST', api('/instance/state'), { apiKey: null, body: { instanceIds: ['i1'] } })).resolves.toMatchObject({
      status: 200,
      json: { code: 1301, message: 'Unable to verify identity', data: null },
    });
    await expect(call(sim, 'POST', api('/instance/state'), { apiKey: 'k1', body: { instanceIds: ['i1'] } }).then(code)).resolves.toBe(200);
    expect(sim.requests.map((r) => r.authorized)).toEqual([false, false, true]);
  });

  it('accepts every key it was given, and the demo key when given none', async () => {
    const given = await started({ resources: { i1: 'RUNNING' }, credentials: { apiKey: 'k1', second: 'k2' } });
    for (const apiKey of ['k1', 'k2']) await expect(call(given, 'POST', api('/instance/state'), { apiKey, body: { instanceIds: ['i1'] } }).then(code)).resolves.toBe(200);
    const demo = await started({ resources: { i1: 'RUNNING' } });
    expect(ULTIPA_DEMO_API_KEY).toBe('demo-api-key');
    await expect(readState(demo, ['i1']).then(code)).resolves.toBe(200);
  });
});

describe('ultipa simulator: switches', () => {
  it.each([
    ['ok', 200, 200, 200, 200],
    ['code', 405, 404, 401, 429],
  ])('errorStatus %s sends errors with HTTP 405/1217/1302/1303 as %i/%i/%i/%i', async (errorStatus, notAllowed, missing, badKey, limited) => {
    const sim = await started({ resources: { i1: 'RUNNING' }, switches: { errorStatus } });
    const answers = [await act(sim, 'start', 'i1'), await act(sim, 'stop', 'nope'), await call(sim, 'POST', api('/instance/state'), { apiKey: 'wrong', body: {} })];
    for (let read = 0; read < 78; read += 1) await readState(sim, ['i1']);
    answers.push(await readState(sim, ['i1']));
    expect(answers.map((answer) => [answer.status, code(answer)])).toEqual([
      [notAllowed, 405],
      [missing, 1217],
      [badKey, 1302],
      [limited, 1303],
    ]);
  });

  it.each([
    ['unset (default)', 'STOPPED', undefined],
    ['false', 'STOPPED', false],
    ['"true"', 'STARTING', 'true'],
  ])('startingState %s: a starting instance reads %s', async (_name, shown, startingState) => {
    const sim = await started({ resources: { i1: 'STOPPED' }, switches: startingState === undefined ? {} : { startingState } });
    await act(sim, 'start', 'i1');
    expect(sim.stateOf('i1')).toBe('STARTING');
    await expect(readState(sim, ['i1'])).resolves.toMatchObject(ok([{ instanceState: shown }]));
    // busy either way: a second start is refused
    await expect(act(sim, 'start', 'i1').then(code)).resolves.toBe(405);
  });

  it.each([
    ['not-allowed', 405],
    ['success', 200],
  ])('alreadyAnswer %s: start on a running instance answers %i and changes nothing', async (alreadyAnswer, expected) => {
    const sim = await started({ resources: { i1: 'RUNNING', i2: 'STOPPED' }, switches: { alreadyAnswer } });
    await expect(act(sim, 'start', 'i1').then(code)).resolves.toBe(expected);
    await expect(act(sim, 'stop', 'i2').then(code)).resolves.toBe(expected);
    expect(sim.resources()).toEqual({ i1: 'RUNNING', i2: 'STOPPED' });
  });

  it('unknownIds error: one unknown id fails the whole read with 1217', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' }, switches: { unknownIds: 'error' } });
    await expect(readState(sim, ['i1', 'nope'])).resolves.toMatchObject({ json: { code: 1217, data: null } });
    await expect(readState(sim, ['i1'])).resolves.toMatchObject(ok([{ instanceId: 'i1' }]));
  });

  it.each([
    ['instance', 200, 404],
    ['cluster', 404, 200],
    ['both', 200, 200],
  ])('api %s serves /instance with %i and /cluster with %i', async (apiSwitch, instance, cluster) => {
    const sim = await started({ resources: { i1: 'RUNNING' }, switches: { api: apiSwitch } });
    expect((await readState(sim, ['i1'])).status).toBe(instance);
    expect((await readState(sim, ['i1'], 'cluster')).status).toBe(cluster);
  });

  it('refuses unknown switches and values', () => {
    expect(() => createUltipaSimulator({ switches: { limitScope: 'deployment' } })).toThrow(/\[sim ultipa\] bad switches/);
    expect(() => createUltipaSimulator({ switches: { startingStates: true } })).toThrow(/bad switches/);
    expect(() => createUltipaSimulator({ switches: { retryAfter: 'yes' } })).toThrow(/bad switches/);
  });
});

describe('ultipa simulator: limits', () => {
  it('allows 80 requests per minute per key, whatever they ask, then 1303', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, resources: { i1: 'RUNNING' }, credentials: { apiKey: ULTIPA_DEMO_API_KEY, other: 'k2' } });
    for (let read = 0; read < 40; read += 1) expect(code(await readState(sim, ['i1']))).toBe(200);
    for (let read = 0; read < 40; read += 1) expect(code(await call(sim, 'GET', api('/instance/list')))).toBe(200);
    await expect(act(sim, 'stop', 'i1')).resolves.toMatchObject({ status: 200, json: { code: 1303, message: 'Key requests are frequent, please try again later.' } });
    expect(sim.requests.at(-1)).toMatchObject({ limited: true });
    expect(sim.stateOf('i1')).toBe('RUNNING');
    // another key of the same account has its own window
    await expect(call(sim, 'POST', api('/instance/state'), { apiKey: 'k2', body: { instanceIds: ['i1'] } }).then(code)).resolves.toBe(200);
    clock.advance(MINUTE - 1);
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(1303);
    clock.advance(1);
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(200);
  });

  it('counts every key of the account in one window when limitScope is account', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' }, credentials: { apiKey: 'k1', other: 'k2' }, switches: { limitScope: 'account' } });
    for (let read = 0; read < 80; read += 1) await call(sim, 'POST', api('/instance/state'), { apiKey: read % 2 ? 'k1' : 'k2', body: { instanceIds: ['i1'] } });
    await expect(call(sim, 'POST', api('/instance/state'), { apiKey: 'k2', body: { instanceIds: ['i1'] } }).then(code)).resolves.toBe(1303);
  });

  it('divides the window by timeScale and does not count a 1303 against it', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const sim = await started({ clock, timeScale: 60, resources: { i1: 'RUNNING' } });
    for (let read = 0; read < 80; read += 1) await readState(sim, ['i1']);
    clock.advance(500);
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(1303);
    clock.advance(499);
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(1303);
    clock.advance(1);
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(200);
  });

  it.each([
    [true, 1303],
    ['false', 200],
  ])('counts refused requests when countRejected is %s', async (countRejected, last) => {
    const sim = await started({ resources: { i1: 'RUNNING' }, switches: { countRejected } });
    for (let attempt = 0; attempt < 80; attempt += 1) expect(code(await act(sim, 'start', 'i1'))).toBe(405);
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(last);
  });

  it('does not count refused keys', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' } });
    for (let attempt = 0; attempt < 80; attempt += 1) await call(sim, 'POST', api('/instance/state'), { apiKey: 'wrong', body: { instanceIds: ['i1'] } });
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(200);
  });

  it('sends Retry-After in whole seconds only when retryAfter is on', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const quiet = await started({ clock, resources: { i1: 'RUNNING' } });
    const loud = await started({ clock, resources: { i1: 'RUNNING' }, switches: { retryAfter: 'true' } });
    for (const sim of [quiet, loud]) for (let read = 0; read < 80; read += 1) await readState(sim, ['i1']);
    clock.advance(20 * 1000 + 500);
    const [withoutHeader, withHeader] = [await readState(quiet, ['i1']), await readState(loud, ['i1'])];
    expect(code(withoutHeader)).toBe(1303);
    expect(withoutHeader.headers['retry-after']).toBeUndefined();
    expect(code(withHeader)).toBe(1303);
    expect(withHeader.headers['retry-after']).toBe('40');
  });
});

describe('ultipa simulator: transitions, faults and request log', () => {
  it('lands a transition after transitionMs / timeScale, two minutes by default', () => {
    vi.useFakeTimers();
    const sim = createUltipaSimulator({ resources: { i1: 'STARTING', i2: 'STOPPING' }, timeScale: 10 });
    harness.defer(() => sim.close());
    sim.transitionLater('i1', 'RUNNING');
    sim.transitionLater('i2', 'STOPPED', 30_000);
    vi.advanceTimersByTime(2_999);
    expect(sim.resources()).toEqual({ i1: 'STARTING', i2: 'STOPPING' });
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('i2')).toBe('STOPPED');
    vi.advanceTimersByTime(8_999);
    expect(sim.stateOf('i1')).toBe('STARTING');
    vi.advanceTimersByTime(1);
    expect(sim.stateOf('i1')).toBe('RUNNING');
  });

  it('answers a malformed fault with a cut-off envelope, and records faults', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' } });
    await expect(call(sim, 'POST', '/_sim/faults', { body: { kind: 'malformed', match: '/instance/state', count: 1 } })).resolves.toMatchObject({ status: 201 });
    sim.injectFault({ kind: 'error', status: 502, match: '/start', count: 1 });
    const garbage = await readState(sim, ['i1']);
    expect(garbage.status).toBe(200);
    expect(typeof garbage.json).toBe('string');
    expect(garbage.json).toMatch(/^\{"code": 200/);
    await expect(act(sim, 'start', 'i1')).resolves.toMatchObject({ status: 502 });
    await expect(readState(sim, ['i1']).then(code)).resolves.toBe(200);
    expect(sim.requests.map(({ status, fault }) => ({ status, fault }))).toEqual([
      { status: 200, fault: 'malformed' },
      { status: 502, fault: 'error' },
      { status: 200, fault: undefined },
    ]);
  });

  it('serves its request log with bodies, never the key', async () => {
    const sim = await started({ resources: { i1: 'STOPPED' }, credentials: { apiKey: 'log-key-5e1b' } });
    await call(sim, 'POST', api('/instance/start'), { apiKey: 'log-key-5e1b', body: { instanceId: 'i1' } });
    await call(sim, 'POST', api('/instance/state'), { apiKey: 'wrong', body: { instanceIds: ['i1'] } });
    const log = await call(sim, 'GET', '/_sim/requests');
    expect(log.json).toEqual([
      { at: expect.any(String), method: 'POST', path: '/open/dbaas/v1/instance/start', body: '{"instanceId":"i1"}', status: 200, authorized: true, limited: false },
      { at: expect.any(String), method: 'POST', path: '/open/dbaas/v1/instance/state', body: '{"instanceIds":["i1"]}', status: 200, authorized: false, limited: false },
    ]);
    expect(JSON.stringify(log.json)).not.toContain('log-key-5e1b');
  });

  it('forces states through /_sim/resources with Ultipa strings', async () => {
    const sim = await started({ resources: { i1: 'RUNNING' } });
    await expect(call(sim, 'PUT', api('/_sim/resources/i2'), { body: { state: 'STOPPED' } })).resolves.toMatchObject({ status: 200 });
    await expect(readState(sim, ['i1', 'i2'])).resolves.toMatchObject(ok([{ instanceState: 'RUNNING' }, { instanceState: 'STOPPED' }]));
  });
});
