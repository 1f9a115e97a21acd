import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { redactText } from './logger.ts';

export interface ReadyReport {
  ready: boolean;
  /** one word per dependency, e.g. `{redis: "down", config: "loaded"}` */
  checks: Record<string, string>;
}

export interface JsonRequest {
  params: Record<string, string>;
  query: Record<string, string>;
  /** parsed JSON, `undefined` when the request had no body; handlers validate it with zod */
  body: unknown;
  /** the bearer token of the Authorization header, if any (never logged) */
  bearer?: string | undefined;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

export interface JsonRoute {
  method: string;
  /** `/api/status`, `/api/targets/:name`: a `:segment` captures one path segment into `params` */
  path: string;
  handler(request: JsonRequest): Promise<JsonResponse>;
}

export interface HttpServerOptions {
  registry: Registry;
  logger: Logger;
  ready: () => Promise<ReadyReport> | ReadyReport;
  routes?: readonly JsonRoute[];
  host: string;
  /** 0 picks a free port; start() tells which */
  port: number;
}

export interface HttpServer {
  start(): Promise<{ port: number }>;
  /** stops accepting, closes idle keep-alive sockets, resolves once in-flight requests are answered */
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 64 * 1024;

interface Reply {
  status: number;
  body: unknown;
  /** set for non-JSON bodies (the metrics text) */
  contentType?: string;
  headers?: Record<string, string>;
}

interface Route {
  method: string;
  segments: string[];
  handle(request: IncomingMessage, params: Record<string, string>, query: Record<string, string>): Promise<Reply>;
}

/** A failure with the status it should answer, raised while reading the request. */
class RequestError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * /metrics, /healthz, /readyz and the JSON routes the daemon passes in, on plain node:http: the
 * surface is small and a framework would be the biggest dependency of the image.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { registry, logger } = options;
  const routes: Route[] = [
    {
      method: 'GET',
      segments: split('/metrics'),
      handle: async () => ({ status: 200, body: await registry.metrics(), contentType: registry.contentType }),
    },
    { method: 'GET', segments: split('/healthz'), handle: async () => ({ status: 200, body: { status: 'ok' } }) },
    { method: 'GET', segments: split('/readyz'), handle: () => readiness(options.ready) },
    ...(options.routes ?? []).map(
      (route): Route => ({
        method: route.method.toUpperCase(),
        segments: split(route.path),
        handle: async (request, params, query) =>
          route.handler({ params, query, body: await readJson(request), bearer: /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] }),
      }),
    ),
  ];

  let closing = false;
  const server = createServer((request, response) => {
    void respond(request, routes)
      .then(render)
      .catch((error: unknown) => {
        if (error instanceof RequestError) return render({ status: error.status, body: { error: error.message } });
        logger.error({ err: error, method: request.method, url: request.url }, '[http] handler failed');
        return render({ status: 500, body: { error: redactText(error instanceof Error ? error.message : String(error)) } });
      })
      .then((answer) => send(response, answer, closing))
      .catch((error: unknown) => {
        logger.error({ err: error, method: request.method, url: request.url }, '[http] cannot answer');
        response.destroy();
      });
  });

  return {
    start: () =>
      new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(new Error(`[http] cannot listen on ${options.host}:${options.port}: ${error.message}`));
        server.once('error', onError);
        server.listen(options.port, options.host, () => {
          server.off('error', onError);
          const { port } = server.address() as AddressInfo;
          logger.info({ host: options.host, port }, '[http] listening');
          resolve({ port });
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        if (!server.listening) return resolve();
        closing = true;
        // since Node 19, close() also ends idle keep-alive sockets instead of waiting for their timeout
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function respond(request: IncomingMessage, routes: readonly Route[]): Promise<Reply> {
  const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split('?', 2);
  const segments = split(rawPath).map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw new RequestError(400, `[http] malformed path ${rawPath}`);
    }
  });
  const allowed: string[] = [];
  for (const route of routes) {
    const params = match(route.segments, segments);
    if (!params) continue;
    if (route.method === request.method || (route.method === 'GET' && request.method === 'HEAD')) {
      return route.handle(request, params, Object.fromEntries(new URLSearchParams(rawQuery)));
    }
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    return { status: 405, body: { error: `[http] ${request.method} not allowed on ${rawPath}` }, headers: { allow: allowed.join(', ') } };
  }
  return { status: 404, body: { error: `[http] no route for ${request.method} ${rawPath}` } };
}

async function readiness(ready: HttpServerOptions['ready']): Promise<Reply> {
  try {
    const report = await ready();
    return { status: report.ready ? 200 : 503, body: report };
  } catch (error) {
    // a readiness check that cannot run means not ready, not a server error
    return { status: 503, body: { ready: false, checks: {}, error: redactText(error instanceof Error ? error.message : String(error)) } };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const tooLarge = () => new RequestError(413, `[http] request body over ${MAX_BODY_BYTES} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  // events rather than for-await: leaving an async iterator early destroys the socket, and the 413 with it
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      // chunked bodies declare no length, so the limit is enforced while reading too
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        reject(tooLarge());
      }
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RequestError(400, `[http] request body is not JSON: ${(error as Error).message}`);
  }
}

interface Answer {
  status: number;
  headers: Record<string, string | number>;
  text: string;
}

/** Separate from send() so a reply that cannot be written (bad status, unserializable body) still becomes a 500. */
function render(reply: Reply): Answer {
  if (!Number.isInteger(reply.status) || reply.status < 200 || reply.status > 599) {
    throw new Error(`[http] a handler answered with status ${reply.status}`);
  }
  // 204 and 304 carry no body; a length header for one would break the client's framing
  const empty = reply.status === 204 || reply.status === 304;
  const text = empty ? '' : reply.contentType === undefined ? JSON.stringify(reply.body ?? null) : String(reply.body);
  return {
    status: reply.status,
    headers: {
      'content-type': reply.contentType ?? 'application/json; charset=utf-8',
      ...(empty ? {} : { 'content-length': Buffer.byteLength(text) }),
      'cache-control': 'no-store',
      ...reply.headers,
    },
    text,
  };
}

function send(response: ServerResponse, answer: Answer, closing: boolean): void {
  response.writeHead(answer.status, {
    ...answer.headers,
    // closing: a kept-alive socket would hold close() until its timeout. 413: the refused body may
    // still be arriving, and dropping the connection is cheaper than reading it to the end.
    ...(closing || answer.status === 413 ? { connection: 'close' } : {}),
  });
  response.end(answer.text);
}
