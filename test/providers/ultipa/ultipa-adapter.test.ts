import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/config/config-error.ts';
import { configJsonSchema } from '../../../src/config/config-json-schema.ts';
import { createUltipaAdapter, ultipaObservedState } from '../../../src/providers/ultipa/ultipa-adapter.ts';
import { ultipaDefinition } from '../../../src/providers/ultipa/ultipa-definition.ts';
import { createUltipaSimulator, type UltipaSimulatorOptions } from '../../../src/providers/ultipa/ultipa-simulator.ts';
import type { UltipaConfig } from '../../../src/providers/ultipa/ultipa-schemas.ts';
import type { ProviderAdapter, ProviderDeps } from '../../../src/providers/provider.ts';
import type { SimReply, SimulatorServer } from '../../../src/providers/simulator-kit.ts';
import { manualClock } from '../../../src/util/clock.ts';
import { providerFailure } from '../../support/provider-failure.ts';
import { useProviderHarness } from '../../support/provider-harness.ts';

const credentials = { apiKey: 'adapter-api-key-7c3e1a' };

const harness = useProviderHarness();

function config(entry: Record<string, unknown>): UltipaConfig {
  return ultipaDefinition.configSchema.parse({ type: 'ultipa', credentials, ...entry });
}

function adapterFor(entry: Record<string, unknown>, deps?: ProviderDeps): ProviderAdapter {
  const adapter = createUltipaAdapter('ultipa-test', config(entry), deps ?? harness.deps);
  harness.defer(() => adapter.close());
  return adapter;
}

async function simulated(options: UltipaSimulatorOptions = {}, entry: Record<string, unknown> = {}): Promise<{ sim: SimulatorServer; adapter: ProviderAdapter }> {
  const sim = await harness.start(createUltipaSimulator({ credentials, transitionMs: 3_600_000, ...options }));
  const adapter = adapterFor({ baseUrl: sim.url, ...entry });
  return { sim, adapter };
}

/** A server that answers every request with `reply`: Ultipa misbehaving in ways the simulator does not. */
async function answering(reply: SimReply, entry: Record<string, unknown> = {}): Promise<ProviderAdapter> {
  const server = await harness.answering(reply);
  return adapterFor({ baseUrl: server.url, ...entry });
}

const sent = (sim: SimulatorServer) => sim.requests.map(({ method, path, body }) => ({ method, path, body: body ? JSON.parse(body) : undefined }));

describe('ultipa adapter: state mapping', () => {
  it.each([
    ['RUNNING', 'running'],
    ['ACTIVE', 'running'],
    ['STOPPED', 'stopped'],
    ['STARTING', 'starting'],
    ['RESTARTING', 'starting'],
    ['INITIALIZING', 'starting'],
    ['STOPPING', 'stopping'],
    ['TERMINATED', 'unknown'],
    ['ERROR', 'unknown'],
    ['UPDATING', 'unknown'],
    ['running', 'running'],
    ['SUSPENDED', 'unknown'],
  ])('maps %s to %s and keeps the raw string', async (raw, state) => {
    expect(ultipaObservedState(raw)).toBe(state);
    const { adapter } = await simulated({ resources: { i1: raw }, switches: { startingState: true } });
    await expect(adapter.status('i1')).resolves.toEqual({ state, raw });
  });
});

describe('ultipa adapter: status reads', () => {
  it('sends POST /instance/state with the ids in the body and the key in the api_key header', async () => {
    const mock = harness.mockAgent();
    mock
      .get('https://cloud.ultipa.com')
      .intercept({
        path: '/open/dbaas/v1/instance/state',
        method: 'POST',
        headers: { api_key: credentials.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ instanceIds: ['ultipa-abc123'] }),
      })
      .reply(200, { code: 200, message: 'success', data: [{ instanceId: 'ultipa-abc123', instanceState: 'RUNNING', name: 'Course Lab' }] });
    const adapter = adapterFor({}, { logger: harness.logger, dispatcher: mock });
    await expect(adapter.status('ultipa-abc123')).resolves.toEqual({ state: 'running', raw: 'RUNNING' });
  });

  it('coalesces concurrent reads into one request and answers each caller from it', async () => {
    const resources = { i1: 'RUNNING', i2: 'STOPPED', i3: 'STOPPING', i4: 'RUNNING', i5: 'STOPPED' };
    const { sim, adapter } = await simulated({ resources });
    const reads = await Promise.all(Object.keys(resources).map((id) => adapter.status(id)));
    expect(reads.map((read) => read.raw)).toEqual(Object.values(resources));
    expect(sent(sim)).toEqual([{ method: 'POST', path: '/open/dbaas/v1/instance/state', body: { instanceIds: ['i1', 'i2', 'i3', 'i4', 'i5'] } }]);
  });

  it('asks once for an id several callers want', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING', i2: 'STOPPED' } });
    const reads = await Promise.all(['i1', 'i2', 'i1', 'i1'].map((id) => adapter.status(id)));
    expect(reads.map((read) => read.state)).toEqual(['running', 'stopped', 'running', 'running']);
    expect(sent(sim).map((request) => request.body)).toEqual([{ instanceIds: ['i1', 'i2'] }]);
  });

  it('reads sequential calls one request each', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING', i2: 'STOPPED' } });
    await adapter.status('i1');
    await adapter.status('i2');
    expect(sent(sim).map((request) => request.body)).toEqual([{ instanceIds: ['i1'] }, { instanceIds: ['i2'] }]);
  });

  it('splits a batch into requests of at most 100 ids, or maxIds', async () => {
    const resources = Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`i${index}`, index % 2 ? 'RUNNING' : 'STOPPED']));
    const { sim, adapter } = await simulated({ resources });
    const reads = await Promise.all(Object.keys(resources).map((id) => adapter.status(id)));
    expect(reads.every((read, index) => read.raw === (index % 2 ? 'RUNNING' : 'STOPPED'))).toBe(true);
    expect(sent(sim).map((request) => (request.body as { instanceIds: string[] }).instanceIds.length)).toEqual([100, 50]);

    const small = adapterFor({ baseUrl: sim.url, statusBatch: { maxIds: 2 } });
    await Promise.all(['i0', 'i1', 'i2'].map((id) => small.status(id)));
    expect(sent(sim).slice(2).map((request) => request.body)).toEqual([{ instanceIds: ['i0', 'i1'] }, { instanceIds: ['i2'] }]);
  });

  it('fails only the caller whose id is missing from the answer', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING', i2: 'STOPPED' } });
    const [one, missing, two] = await Promise.allSettled(['i1', 'gone', 'i2'].map((id) => adapter.status(id)));
    expect(one).toEqual({ status: 'fulfilled', value: { state: 'running', raw: 'RUNNING' } });
    expect(two).toEqual({ status: 'fulfilled', value: { state: 'stopped', raw: 'STOPPED' } });
    expect(missing).toMatchObject({ status: 'rejected', reason: { failure: 'not-found', path: '/instance/state' } });
    expect((missing as PromiseRejectedResult).reason.message).toBe('[ultipa-test] not-found on POST /instance/state: instance gone is not in the answer (not-found)');
    expect(sim.requests).toHaveLength(1);
  });

  it('reads each id alone when Ultipa refuses a whole batch for one unknown id, and keeps that id apart afterwards', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING', i2: 'STOPPED' }, switches: { unknownIds: 'error' } });
    const first = await Promise.allSettled(['i1', 'gone', 'i2'].map((id) => adapter.status(id)));
    expect(first.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((first[1] as PromiseRejectedResult).reason).toMatchObject({ failure: 'not-found', code: '1217' });
    // one refused batch, then one request per caller: what the limiter granted
    expect(sent(sim).map((request) => request.body)).toEqual([
      { instanceIds: ['i1', 'gone', 'i2'] },
      { instanceIds: ['i1'] },
      { instanceIds: ['gone'] },
      { instanceIds: ['i2'] },
    ]);

    const again = await Promise.allSettled(['i1', 'gone', 'i2'].map((id) => adapter.status(id)));
    expect(again.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sent(sim).slice(4).map((request) => request.body)).toEqual([{ instanceIds: ['gone'] }, { instanceIds: ['i1', 'i2'] }]);

    // an id that turns up again joins batches again
    sim.setState('gone', 'STOPPED');
    await adapter.status('gone');
    await Promise.all(['i1', 'gone'].map((id) => adapter.status(id)));
    expect(sent(sim).at(-1)?.body).toEqual({ instanceIds: ['i1', 'gone'] });
  });

  it('fails every caller of a batch the provider refuses as a whole', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING', i2: 'STOPPED' } });
    sim.injectFault({ kind: 'error', status: 503, count: 1 });
    const results = await Promise.allSettled(['i1', 'i2'].map((id) => adapter.status(id)));
    expect(results.map((result) => (result as PromiseRejectedResult).reason?.failure)).toEqual(['transient', 'transient']);
    expect(sim.requests).toHaveLength(1);
  });

  it('rejects reads still waiting for their batch when it closes, and every read after', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING' } }, { statusBatch: { window: '1h' } });
    const pending = adapter.status('i1');
    await adapter.close();
    await expect(providerFailure(pending)).resolves.toMatchObject({ failure: 'transient', message: expect.stringContaining('adapter closed') });
    await expect(providerFailure(adapter.status('i1'))).resolves.toMatchObject({ failure: 'transient' });
    expect(sim.requests).toHaveLength(0);
  });

  it.each([
    ['data that is not a list', { code: 200, message: 'success', data: { instanceId: 'i1' } }, 'at data'],
    ['an entry without a state', { code: 200, message: 'success', data: [{ instanceId: 'i1', name: 'x' }] }, 'at data.0.instanceState'],
    ['no code', { message: 'success', data: [{ instanceId: 'i1', instanceState: 'RUNNING' }] }, 'unexpected response body'],
    ['an HTML page', '<html>ok</html>', 'malformed response body'],
  ])('takes %s for garbage, never for a state', async (_what, body, detail) => {
    const adapter = await answering({ status: 200, body });
    const error = await providerFailure(adapter.status('i1'));
    expect(error.failure).toBe('transient');
    expect(error.message).toContain(detail);
  });

  it('reads a code written as a string', async () => {
    const ok = await answering({ status: 200, body: { code: '200', message: 'success', data: [{ instanceId: 'i1', instanceState: 'STOPPED' }] } });
    await expect(ok.status('i1')).resolves.toEqual({ state: 'stopped', raw: 'STOPPED' });
    const limited = await answering({ status: 200, body: { code: '1303', message: 'Key requests are frequent' } });
    await expect(providerFailure(limited.status('i1'))).resolves.toMatchObject({ failure: 'throttled', code: '1303' });
  });
});

describe('ultipa adapter: start and stop', () => {
  it('POSTs {instanceId} and takes code 200 as accepted; the change happens in the background', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'STOPPED', i2: 'RUNNING' } });
    await expect(adapter.start('i1')).resolves.toEqual({ kind: 'accepted' });
    await expect(adapter.stop('i2')).resolves.toEqual({ kind: 'accepted' });
    expect(sent(sim)).toEqual([
      { method: 'POST', path: '/open/dbaas/v1/instance/start', body: { instanceId: 'i1' } },
      { method: 'POST', path: '/open/dbaas/v1/instance/stop', body: { instanceId: 'i2' } },
    ]);
    expect(sim.resources()).toEqual({ i1: 'STARTING', i2: 'STOPPING' });
  });

  it('speaks the cluster API when resourceKind is cluster', async () => {
    const { sim, adapter } = await simulated({ resources: { c1: 'STOPPED', c2: 'RUNNING' } }, { resourceKind: 'cluster' });
    const reads = await Promise.all([adapter.status('c1'), adapter.status('c2')]);
    expect(reads).toEqual([
      { state: 'stopped', raw: 'STOPPED' },
      { state: 'running', raw: 'RUNNING' },
    ]);
    await adapter.start('c1');
    expect(sent(sim)).toEqual([
      { method: 'POST', path: '/open/dbaas/v1/cluster/state', body: { clusterIds: ['c1', 'c2'] } },
      { method: 'POST', path: '/open/dbaas/v1/cluster/start', body: { clusterId: 'c1' } },
    ]);
  });

  it.each([
    ['start', 'RUNNING'],
    ['stop', 'STOPPED'],
  ] as const)('%s on a %s resource: 405, one status read, already', async (action, state) => {
    const { sim, adapter } = await simulated({ resources: { i1: state } });
    await expect(adapter[action]('i1')).resolves.toEqual({ kind: 'already', raw: state });
    expect(sent(sim).map((request) => request.path)).toEqual([`/open/dbaas/v1/instance/${action}`, '/open/dbaas/v1/instance/state']);
    expect(sim.stateOf('i1')).toBe(state);
  });

  it.each([
    ['start', 'STOPPING', {}],
    ['stop', 'STARTING', { startingState: true }],
    // STARTING shown as STOPPED: a start Ultipa refuses while the state reads STOPPED is busy, not done
    ['start', 'STARTING', { startingState: false }],
  ] as const)('%s on a %s resource is a conflict naming the state read', async (action, state, switches) => {
    const { sim, adapter } = await simulated({ resources: { i1: state }, switches });
    const shown = state === 'STARTING' && !('startingState' in switches && switches.startingState) ? 'STOPPED' : state;
    const error = await providerFailure(adapter[action]('i1'));
    expect(error).toMatchObject({ failure: 'conflict', code: '405', method: 'POST', path: `/instance/${action}` });
    expect(error.message).toBe(`[ultipa-test] conflict on POST /instance/${action}: 405 instance i1 is ${shown} (conflict)`);
    expect(sim.stateOf('i1')).toBe(state);
  });

  it('reads the state after a 405 only when the key budget has room for it (extraRequest)', async () => {
    const sim = await harness.start(createUltipaSimulator({ credentials, transitionMs: 3_600_000, resources: { i1: 'RUNNING' } }));
    const adapter = adapterFor({ baseUrl: sim.url }, { ...harness.deps, extraRequest: async () => false });
    const error = await providerFailure(adapter.start('i1'));
    expect(error).toMatchObject({ failure: 'conflict', code: '405' });
    expect(sent(sim).map((request) => request.path)).toEqual(['/open/dbaas/v1/instance/start']);
  });

  it('gives up on a terminated resource: invalid, not retried', async () => {
    const { adapter } = await simulated({ resources: { i1: 'TERMINATED' } });
    const error = await providerFailure(adapter.start('i1'));
    expect(error).toMatchObject({ failure: 'invalid', code: '405' });
    expect(error.message).toContain('a terminated instance cannot start');
  });

  it('keeps the 405 as a conflict when the status read that should explain it fails', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING' } });
    sim.injectFault({ kind: 'error', status: 503, match: '/state', count: 1 });
    const error = await providerFailure(adapter.start('i1'));
    expect(error).toMatchObject({ failure: 'conflict', code: '405', path: '/instance/start' });
    expect(error.message).toContain('Operation not allowed');
  });

  it('takes a success for a resource already in state as accepted (alreadyAnswer success)', async () => {
    const { sim, adapter } = await simulated({ resources: { i1: 'RUNNING' }, switches: { alreadyAnswer: 'success' } });
    await expect(adapter.start('i1')).resolves.toEqual({ kind: 'accepted' });
    expect(sim.requests).toHaveLength(1);
  });

  it.each([
    ['an HTML page', { status: 200, body: '<html>ok</html>' }],
    ['an empty 204', { status: 204 }],
    ['an envelope without a code', { status: 200, body: { message: 'success', data: null } }],
    ['code 200 with HTTP 500', { status: 500, body: { code: 200, message: 'success', data: null } }],
  ])('takes %s for garbage, never for success', async (_what, reply) => {
    const adapter = await answering(reply as SimReply);
    await expect(providerFailure(adapter.start('i1'))).resolves.toMatchObject({ failure: 'transient' });
  });
});

describe('ultipa adapter: error codes', () => {
  const codes = [
    [403, 'auth'],
    [408, 'auth'],
    [409, 'auth'],
    [1217, 'not-found'],
    [1301, 'auth'],
    [1302, 'auth'],
    [1303, 'throttled'],
    [400, 'invalid'],
    [500, 'transient'],
    [4711, 'invalid'],
  ] as const;

  describe.each([
    ['HTTP 200', () => 200],
    ['a matching HTTP status', (code: number) => (code < 600 ? code : 400)],
  ])('sent with %s', (_reading, httpStatus) => {
    it.each(codes)('maps code %i to %s for reads and actions', async (code, expected) => {
      const status = httpStatus(code);
      const adapter = await answering({ status, body: { code, message: `message ${code}`, data: null } });
      for (const call of [() => adapter.status('i1'), () => adapter.stop('i1')]) {
        const error = await providerFailure(call());
        expect(error).toMatchObject({ failure: expected, code: String(code), status: status === 200 ? undefined : status });
        expect(error.message).toContain(`${code} message ${code}`);
      }
    });
  });

  it('names the code, method and path, not a meaningless HTTP 200', async () => {
    const adapter = await answering({ status: 200, body: { code: 1302, message: 'Key is invalid or has been revoked', data: null } });
    const error = await providerFailure(adapter.start('i1'));
    expect(error.message).toBe('[ultipa-test] auth on POST /instance/start: 1302 Key is invalid or has been revoked (auth)');
  });

  it.each([
    [401, 'auth'],
    [404, 'not-found'],
    [405, 'invalid'],
    [429, 'throttled'],
    [502, 'transient'],
  ])('maps HTTP %i without an envelope to %s', async (status, expected) => {
    const adapter = await answering({ status, body: `<html>${status}</html>` });
    await expect(providerFailure(adapter.status('i1'))).resolves.toMatchObject({ failure: expected, status, code: undefined });
  });

  it('reports the wrong API generation as not-found on its path, without reading ids one by one', async () => {
    const { sim, adapter } = await simulated({ resources: { c1: 'RUNNING', c2: 'STOPPED' }, switches: { api: 'cluster' } });
    const [one, two] = await Promise.allSettled([adapter.status('c1'), adapter.status('c2')]);
    for (const result of [one, two]) expect(result).toMatchObject({ status: 'rejected', reason: { failure: 'not-found', status: 404, path: '/instance/state' } });
    expect((one as PromiseRejectedResult).reason.message).toContain('Not Found');
    expect(sim.requests).toHaveLength(1);
  });

  it('reads Retry-After from a 1303 when Ultipa sends one', async () => {
    const clock = manualClock('2025-01-06T08:00:00Z');
    const { adapter } = await simulated({ clock, resources: { i1: 'RUNNING' }, switches: { retryAfter: true } }, { statusBatch: { window: 0 } });
    for (let read = 0; read < 80; read += 1) await adapter.status('i1');
    clock.advance(20_500);
    await expect(providerFailure(adapter.status('i1'))).resolves.toMatchObject({ failure: 'throttled', code: '1303', retryAfterMs: 40_000 });
  });

  it('has no retryAfterMs when the 1303 comes without Retry-After', async () => {
    const { adapter } = await simulated({ resources: { i1: 'RUNNING' } }, { statusBatch: { window: 0 } });
    for (let read = 0; read < 80; read += 1) await adapter.status('i1');
    await expect(providerFailure(adapter.start('i1'))).resolves.toMatchObject({ failure: 'throttled', retryAfterMs: undefined });
  });

  it('masks the API key should Ultipa echo it', async () => {
    const adapter = await answering({ status: 200, body: { code: 1302, message: `unknown key ${credentials.apiKey}` } });
    const error = await providerFailure(adapter.status('i1'));
    expect(error.message).toBe('[ultipa-test] auth on POST /instance/state: 1302 unknown key *** (auth)');
    const page = await answering({ status: 502, body: `<html>bad gateway for ${credentials.apiKey}</html>` });
    expect((await providerFailure(page.status('i1'))).message).not.toContain(credentials.apiKey);
  });

  it('shows a non-JSON error body cut short', async () => {
    const adapter = await answering({ status: 502, body: `<html>${'bad gateway '.repeat(50)}</html>` });
    const error = await providerFailure(adapter.status('i1'));
    expect(error.failure).toBe('transient');
    expect(error.message.length).toBeLessThan(300);
  });
});

describe('ultipa adapter: config, limits and definition', () => {
  it('declares 80 requests per minute per key, scoped per provider entry', () => {
    const adapter = adapterFor({});
    expect(adapter.limits).toEqual({ all: { max: 80, perMs: 60_000 } });
    expect(adapter.limitScope).toBe('provider');
    expect(adapter.capabilities).toEqual({ reportsTransitions: false, batchStatus: true });
  });

  it('lets the config override the budget and add per-operation ones', () => {
    const adapter = adapterFor({ limits: { all: { max: 40, per: '1m' }, start: { max: 5, per: '1h' } }, limitScope: 'resource' });
    expect(adapter.limits).toEqual({ all: { max: 40, perMs: 60_000 }, start: { max: 5, perMs: 3_600_000 } });
    expect(adapter.limitScope).toBe('resource');
  });

  it('fills in the defaults of the documented entry', () => {
    expect(config({})).toMatchObject({ resourceKind: 'instance', statusBatch: { window: 5, maxIds: 100 }, timeout: 10_000 });
    expect(config({ resourceKind: 'cluster', statusBatch: { window: '20ms', maxIds: 10 } })).toMatchObject({
      resourceKind: 'cluster',
      statusBatch: { window: 20, maxIds: 10 },
    });
  });

  it.each([
    ['an unknown key', { region: 'eu' }],
    ['an unknown resourceKind', { resourceKind: 'manager' }],
    ['EMQX-style credentials', { credentials: { key: 'k', secret: 's' } }],
    ['an empty key', { credentials: { apiKey: '' } }],
    ['more than 100 ids per read', { statusBatch: { maxIds: 101 } }],
    ['an unknown statusBatch option', { statusBatch: { size: 10 } }],
    ['a baseUrl of the other API generation', { baseUrl: 'https://cloud.ultipa.com/open/dbaas/v1/cluster' }],
  ])('refuses %s', (_what, entry) => {
    expect(ultipaDefinition.configSchema.safeParse({ type: 'ultipa', credentials, ...entry }).success).toBe(false);
  });

  it.each([
    ['the API root', ''],
    ['the API root with a slash', '/'],
    ["the kind's own base, as Ultipa's pages write it", '/instance'],
    ["the kind's own base with a slash", '/instance/'],
  ])('accepts a baseUrl naming %s', async (_what, suffix) => {
    const sim = await harness.start(createUltipaSimulator({ credentials, resources: { i1: 'RUNNING' } }));
    const adapter = adapterFor({ baseUrl: `${sim.url}${suffix}` });
    await expect(adapter.status('i1')).resolves.toMatchObject({ state: 'running' });
    expect(sim.requests[0]?.path).toBe('/open/dbaas/v1/instance/state');
  });

  it('loads from a config file, and never shows the key in a config error', () => {
    const text = (extra: string) => `providers:
  graphs:
    type: ultipa
    resourceKind: cluster
    credentials: { apiKey: "\${ULTIPA_API_KEY}" }
${extra}schedules:
  office: { running: ["Mon-Fri 08:00-19:00"] }
targets:
  - { name: graph, provider: graphs, resource: ultipa-abc123, schedule: office }
`;
    const env = { ULTIPA_API_KEY: 'file-api-key-0d9e' };
    const loaded = loadConfigText(text(''), { file: 'offhours.yaml', env, definitions: [ultipaDefinition] });
    expect(loaded.config.providers.graphs).toMatchObject({ type: 'ultipa', resourceKind: 'cluster', credentials: { apiKey: env.ULTIPA_API_KEY } });
    expect(loaded.targets[0]).toMatchObject({ provider: 'graphs', providerType: 'ultipa', resource: 'ultipa-abc123' });

    let error: unknown;
    try {
      loadConfigText(text('    baseUrl: https://cloud.ultipa.com/open/dbaas/v1/instance\n    apiKey: "${ULTIPA_API_KEY}"\n'), { file: 'offhours.yaml', env, definitions: [ultipaDefinition] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('providers.graphs');
    expect(message).not.toContain(env.ULTIPA_API_KEY);
  });

  it('describes its entry in the generated JSON Schema', () => {
    type Entry = { properties: Record<string, unknown> };
    const schema = configJsonSchema([ultipaDefinition]) as { properties: { providers: { additionalProperties: { oneOf: Entry[] } } } };
    const [entry] = schema.properties.providers.additionalProperties.oneOf;
    expect(entry?.properties).toMatchObject({
      type: { const: 'ultipa' },
      resourceKind: { enum: ['instance', 'cluster'] },
      credentials: { required: ['apiKey'], additionalProperties: false },
      statusBatch: { properties: { window: { pattern: expect.any(String) }, maxIds: { maximum: 100 } } },
    });
  });

  it('names its secret, raw states and capabilities', () => {
    expect(ultipaDefinition).toMatchObject({
      type: 'ultipa',
      defaultBaseUrl: 'https://cloud.ultipa.com/open/dbaas/v1',
      defaultLimits: { all: { max: 80, perMs: 60_000 } },
      defaultLimitScope: 'provider',
      capabilities: { reportsTransitions: false, batchStatus: true },
      rawStates: { running: 'RUNNING', stopped: 'STOPPED' },
      secretPaths: ['credentials.apiKey'],
    });
  });
});
