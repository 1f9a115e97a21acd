// The override API over HTTP, on the daemon's HTTP server and a real Redis: set, list, clear; 400 with a
// clear message for a bad request, 404 for an unknown target; overrides expire by themselves.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/observability/http-server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { overrideRoutes } from '../../src/planner/override-routes.ts';
import { createTargetStore, type TargetStore } from '../../src/queue/target-store.ts';
import { manualClock } from '../../src/util/clock.ts';

let redis: Redis;
let server: HttpServer;
let store: TargetStore;
let base: string;
const clock = manualClock('2026-11-23T12:00:00Z');
const agent = new Agent();

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  store = createTargetStore(redis, `t-${randomUUID()}`);
  server = createHttpServer({
    registry: new Registry(),
    logger: createLogger({ level: 'silent' }),
    ready: () => ({ ready: true, checks: {} }),
    host: '127.0.0.1',
    port: 0,
    routes: overrideRoutes({ store, targets: [{ name: 'broker' }, { name: 'db' }], now: () => clock.now() }),
  });
  base = `http://127.0.0.1:${(await server.start()).port}`;
});
afterAll(async () => {
  await server.close();
  await agent.close();
  await redis.quit();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await request(`${base}${path}`, {
    dispatcher: agent,
    method: method as 'GET',
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.statusCode, json: (await response.body.json()) as Record<string, any> };
}

describe('override routes', () => {
  it('sets an override for a duration or until an instant, stores it with who and why, and lists it', async () => {
    const set = await call('PUT', '/api/overrides/broker', { state: 'running', for: '2h', reason: 'demo tonight', by: 'ana' });
    expect(set).toEqual({
      status: 200,
      json: { target: 'broker', override: { state: 'running', until: '2026-11-23T14:00:00.000Z', setAt: '2026-11-23T12:00:00.000Z', by: 'ana', reason: 'demo tonight' } },
    });
    expect(await store.getOverride('broker')).toEqual(set.json.override);
    expect((await store.recentAudit(1))[0]).toMatchObject({ event: 'override-set', target: 'broker', reason: 'override running until 2026-11-23T14:00:00.000Z by ana: demo tonight' });

    expect((await call('PUT', '/api/overrides/db', { state: 'stopped', until: '2026-11-23T14:00:00+01:00' })).json.override).toMatchObject({ state: 'stopped', until: '2026-11-23T13:00:00.000Z' });
    const listed = await call('GET', '/api/overrides');
    expect(listed.status).toBe(200);
    expect(Object.keys(listed.json.overrides).sort()).toEqual(['broker', 'db']);
    expect(listed.json.overrides.broker).toEqual(set.json.override);
  });

  it('lets an override expire by itself', async () => {
    await call('PUT', '/api/overrides/db', { state: 'stopped', for: '30m' });
    clock.advance(31 * 60_000);
    expect((await call('GET', '/api/overrides')).json.overrides.db).toBeUndefined();
    clock.set('2026-11-23T12:00:00Z');
  });

  it('clears an override, saying whether there was one', async () => {
    await call('PUT', '/api/overrides/db', { state: 'stopped', for: '1h' });
    expect(await call('DELETE', '/api/overrides/db')).toEqual({ status: 200, json: { target: 'db', cleared: true } });
    expect(await call('DELETE', '/api/overrides/db')).toEqual({ status: 200, json: { target: 'db', cleared: false } });
    expect(await store.getOverride('db')).toBeUndefined();
  });

  it.each([
    [{ state: 'paused', for: '1h' }, 'state: state must be "running" or "stopped"'],
    [{ state: 'running' }, 'say how long: until (an ISO date-time) or for (e.g. 2h)'],
    [{ state: 'running', for: '1h', until: '2026-11-23T20:00:00Z' }, 'give until or for, not both'],
    [{ state: 'running', for: 'a while' }, 'for: invalid duration "a while"'],
    [{ state: 'running', until: 'tomorrow' }, 'until: until must be an ISO date-time'],
    [{ state: 'running', until: '2026-11-23T11:00:00Z' }, 'is not in the future'],
    [{ state: 'running', for: '400d' }, 'an override lasts at most 366d'],
    [{ state: 'running', for: '1h', colour: 'red' }, 'colour'],
    [['running'], 'expected object'],
  ])('answers 400 to %j', async (body, message) => {
    const response = await call('PUT', '/api/overrides/broker', body);
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/^\[overrides\] PUT \/api\/overrides\/broker: /);
    expect(response.json.error).toContain(message);
  });

  it('answers 400 without a body and 404 for a target not in the config', async () => {
    expect((await call('PUT', '/api/overrides/broker')).json.error).toContain('expected a JSON body');
    const unknown = await call('PUT', '/api/overrides/nope', { state: 'running', for: '1h' });
    expect(unknown).toEqual({ status: 404, json: { error: '[overrides] PUT /api/overrides/nope: no target "nope" in the config' } });
    expect((await call('DELETE', '/api/overrides/nope')).status).toBe(404);
    expect(await store.getOverride('nope')).toBeUndefined();
  });
});

describe('override routes with an API token', () => {
  it('refuses writes without the bearer token (401) and accepts them with it; reads stay open', async () => {
    const token = 'a-long-enough-api-token';
    const secured = createHttpServer({
      registry: new Registry(),
      logger: createLogger({ level: 'silent' }),
      ready: () => ({ ready: true, checks: {} }),
      host: '127.0.0.1',
      port: 0,
      routes: overrideRoutes({ store, targets: [{ name: 'broker' }], now: () => clock.now(), token }),
    });
    const url = `http://127.0.0.1:${(await secured.start()).port}`;
    try {
      const put = (authorization?: string) =>
        request(`${url}/api/overrides/broker`, {
          method: 'PUT',
          dispatcher: agent,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ state: 'running', for: '2h' }),
        });
      const anonymous = await put();
      expect(anonymous.statusCode).toBe(401);
      expect(JSON.stringify(await anonymous.body.json())).not.toContain(token);
      expect((await put('Bearer wrong-token-of-some-length')).statusCode).toBe(401);
      const allowed = await put(`Bearer ${token}`);
      expect(allowed.statusCode).toBe(200);
      await allowed.body.dump();
      const list = await request(`${url}/api/overrides`, { dispatcher: agent });
      expect(list.statusCode).toBe(200);
      await list.body.dump();
    } finally {
      await secured.close();
    }
  });
});
