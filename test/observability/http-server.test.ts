import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHttpServer, MAX_BODY_BYTES, type HttpServer, type HttpServerOptions, type ReadyReport } from '../../src/observability/http-server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';

interface Harness {
  base: string;
  registry: Registry;
  logLines: string[];
  server: HttpServer;
  port: number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(overrides: Partial<HttpServerOptions> = {}): Promise<Harness> {
  const registry = new Registry();
  createMetrics(registry);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const server = createHttpServer({ registry, logger, ready: () => ({ ready: true, checks: {} }), host: '127.0.0.1', port: 0, ...overrides });
  const { port } = await server.start();
  cleanups.push(() => server.close());
  return { base: `http://127.0.0.1:${port}`, registry, logLines, server, port };
}

const agent = new Agent();
afterAll(() => agent.close());

async function call(url: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const response = await request(url, { dispatcher: agent, method: (options.method ?? 'GET') as 'GET', body: options.body, headers: options.headers });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, any> };
}

describe('createHttpServer', () => {
  it('serves the registry on /metrics with its content type', async () => {
    const { base, registry } = await startServer();
    const response = await call(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(registry.contentType);
    expect(response.text).toContain('\noffhours_up 1\n');
  });

  it('answers /healthz while it serves', async () => {
    const { base } = await startServer();
    const response = await call(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 503 and the checks until ready, then 200', async () => {
    let report: ReadyReport = { ready: false, checks: { redis: 'down', config: 'loaded' } };
    const { base } = await startServer({ ready: async () => report });
    const before = await call(`${base}/readyz`);
    expect(before.status).toBe(503);
    expect(before.json()).toEqual({ ready: false, checks: { redis: 'down', config: 'loaded' } });

    report = { ready: true, checks: { redis: 'up', config: 'loaded' } };
    const after = await call(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(after.json()).toEqual({ ready: true, checks: { redis: 'up', config: 'loaded' } });
  });

  it('reports not ready when the readiness check itself fails', async () => {
    const { base } = await startServer({
      ready: () => {
        throw new Error('redis://:redis-pass@cache.internal unreachable');
      },
    });
    const response = await call(`${base}/readyz`);
    expect(response.status).toBe(503);
    expect(response.json()).toMatchObject({ ready: false, error: 'redis://:***@cache.internal unreachable' });
  });

  it('routes JSON requests with path params, query and body to the handlers passed in', async () => {
    const seen: unknown[] = [];
    const { base } = await startServer({
      routes: [
        { method: 'GET', path: '/api/status', handler: async () => ({ status: 200, body: { targets: 2 } }) },
        {
          method: 'POST',
          path: '/api/targets/:name/override',
          handler: async (req) => {
            seen.push(req);
            return { status: 201, body: { name: req.params.name } };
          },
        },
      ],
    });
    expect((await call(`${base}/api/status`)).json()).toEqual({ targets: 2 });

    const response = await call(`${base}/api/targets/db%201/override?dry=1`, {
      method: 'POST',
      body: JSON.stringify({ state: 'running', until: '2026-01-01T00:00:00Z' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(201);
    expect(response.json()).toEqual({ name: 'db 1' });
    expect(seen).toEqual([{ params: { name: 'db 1' }, query: { dry: '1' }, body: { state: 'running', until: '2026-01-01T00:00:00Z' } }]);
  });

  it('gives a handler an undefined body when none was sent', async () => {
    const bodies: unknown[] = [];
    const { base } = await startServer({
      routes: [{ method: 'DELETE', path: '/api/overrides/:name', handler: async (req) => (bodies.push(req.body), { status: 204, body: null }) }],
    });
    expect((await call(`${base}/api/overrides/db-1`, { method: 'DELETE' })).status).toBe(204);
    expect(bodies).toEqual([undefined]);
  });

  it('answers 404 JSON for an unknown path and 405 for a known path with another method', async () => {
    const { base } = await startServer();
    const missing = await call(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/json');
    expect(missing.json()).toEqual({ error: '[http] no route for GET /nope' });

    const wrongMethod = await call(`${base}/healthz`, { method: 'POST', body: '{}' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET');
  });

  it('answers 500 JSON with the message but no stack when a handler throws, and logs it', async () => {
    const { base, logLines } = await startServer({
      routes: [
        {
          method: 'GET',
          path: '/api/boom',
          handler: async () => {
            throw new Error('[store] lost redis://:redis-pass@cache.internal');
          },
        },
      ],
    });
    const response = await call(`${base}/api/boom`);
    expect(response.status).toBe(500);
    expect(response.json()).toEqual({ error: '[store] lost redis://:***@cache.internal' });
    expect(response.text).not.toContain('at ');
    const logged = logLines.map((line) => JSON.parse(line) as Record<string, any>).find((line) => line.msg === '[http] handler failed');
    expect(logged).toMatchObject({ level: 'error', method: 'GET', url: '/api/boom', err: { type: 'Error' } });
  });

  it('answers 500 when a handler reply cannot be sent', async () => {
    const { base } = await startServer({
      routes: [
        { method: 'GET', path: '/api/bad-status', handler: async () => ({ status: 42, body: {} }) },
        { method: 'GET', path: '/api/bad-body', handler: async () => ({ status: 200, body: { count: 1n } }) },
      ],
    });
    const badStatus = await call(`${base}/api/bad-status`);
    expect(badStatus.status).toBe(500);
    expect(badStatus.json()).toEqual({ error: '[http] a handler answered with status 42' });
    expect((await call(`${base}/api/bad-body`)).status).toBe(500);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const { base } = await startServer({ routes: [{ method: 'POST', path: '/api/echo', handler: async (req) => ({ status: 200, body: req.body }) }] });
    const response = await call(`${base}/api/echo`, { method: 'POST', body: '{not json' });
    expect(response.status).toBe(400);
    expect(response.json().error).toMatch(/^\[http\] request body is not JSON/);
  });

  it('refuses bodies over 64 KiB with 413, declared or chunked', async () => {
    const handled: unknown[] = [];
    const { base } = await startServer({
      routes: [{ method: 'POST', path: '/api/echo', handler: async (req) => (handled.push(req.body), { status: 200, body: {} }) }],
    });
    const big = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) });
    expect((await call(`${base}/api/echo`, { method: 'POST', body: big })).status).toBe(413);

    const chunked = await request(`${base}/api/echo`, {
      dispatcher: agent,
      method: 'POST',
      // a stream has no length, so undici sends it chunked
      body: Readable.from([big.slice(0, 40_000), big.slice(40_000)]),
    });
    expect(chunked.statusCode).toBe(413);
    await chunked.body.dump();

    const fits = JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES - 100) });
    expect((await call(`${base}/api/echo`, { method: 'POST', body: fits })).status).toBe(200);
    expect(handled).toHaveLength(1);
  });

  it('close() ends idle keep-alive connections, and nothing answers afterwards', async () => {
    const { server, port } = await startServer();
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const answered = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(chunk.toString())));
    socket.write('GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n');
    expect(await answered).toMatch(/^HTTP\/1\.1 200/);

    // the socket is now idle and kept alive; close() must not wait for the 5 s keep-alive timeout
    await Promise.all([server.close(), closed]);
    await expect(call(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  }, 4_000);

  it('close() lets an in-flight request finish', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { base, server } = await startServer({
      routes: [{ method: 'GET', path: '/api/slow', handler: async () => (entered(), await released, { status: 200, body: { done: true } }) }],
    });
    const pending = call(`${base}/api/slow`);
    await inHandler;
    const closing = server.close();
    release();
    const response = await pending;
    expect(response.json()).toEqual({ done: true });
    // otherwise the client keeps the socket alive and close() waits for the keep-alive timeout
    expect(response.headers.connection).toBe('close');
    await closing;
  });

  it('start() rejects with the address when the port is taken', async () => {
    const { port } = await startServer();
    const registry = new Registry();
    const second = createHttpServer({ registry, logger: createLogger({ level: 'silent' }), ready: () => ({ ready: true, checks: {} }), host: '127.0.0.1', port });
    await expect(second.start()).rejects.toThrow(`[http] cannot listen on 127.0.0.1:${port}: listen EADDRINUSE`);
  });
});
