// Types shared by every provider simulator; the implementation follows below them.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { z } from 'zod';
import { systemClock, type Clock } from '../util/clock.ts';
import type { LimitRule } from './provider.ts';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /**
   * Divides every limit window and transition delay, so `60` turns EMQX's 60-minute windows into
   * 60 seconds. Tests and the demo use it; 1 is the real provider.
   */
  timeScale?: number;
  /** real-provider time a start/stop takes before the new state shows (before timeScale) */
  transitionMs?: number;
  /** credentials the simulator accepts; anything else is refused as the provider refuses it */
  credentials?: Record<string, string>;
  /** resources that exist from the start, with their initial state (provider's own string) */
  resources?: Record<string, string>;
  /** the unconfirmed readings of PROVIDERS.md, as switches; names are per provider */
  switches?: Record<string, string | boolean>;
  logger?: Logger;
}

export type FaultKind = 'error' | 'slow' | 'drop' | 'malformed';

export interface Fault {
  kind: FaultKind;
  /** requests it applies to: substring of `METHOD /path` (e.g. `POST /deployments/d1/start`); all when absent */
  match?: string;
  /** how many requests it hits before it is spent; forever when absent */
  count?: number;
  /** for `error`: the HTTP status (default 503) */
  status?: number;
  /** for `slow`: how long to wait before answering, ms */
  delayMs?: number;
}

export interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  /** status sent, or 0 for a dropped connection */
  status: number;
  /** false when auth failed */
  authorized: boolean;
  /** the request was refused for a limit (429 / provider code) */
  limited: boolean;
  fault?: FaultKind;
}

export interface Simulator {
  readonly type: string;
  /** listens; resolves with the base URL an adapter should use */
  start(): Promise<string>;
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly RecordedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** the provider's raw state string of a resource, or undefined when it does not exist */
  stateOf(resource: string): string | undefined;
  /** creates or forces a resource into a state (raw provider string), cancelling any transition */
  setState(resource: string, raw: string): void;
  /** resolves when the resource is in state `raw` (already, or later) */
  waitForState(resource: string, raw: string): Promise<void>;
  /** resolves when a request matching `match` has been recorded (already, or later) */
  waitForRequest(match: string | ((request: RecordedRequest) => boolean), count?: number): Promise<RecordedRequest>;
}

// ---------------------------------------------------------------------------------------------
// Implementation: createSimulatorServer runs the HTTP side (request log, faults, limit windows,
// transitions, /_sim/ control endpoints); a provider simulator adds only its routes and states.

/** One request as a provider simulator's `handle` sees it. */
export interface SimRequest {
  method: string;
  /** path without the query string, still percent-encoded */
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What `handle` answers. */
export interface SimReply {
  status: number;
  /** serialised as JSON, unless a string (sent as is) */
  body?: unknown;
  headers?: Record<string, string>;
  /** false when the request failed authentication (default true) */
  authorized?: boolean;
  /** the request was refused for a limit */
  limited?: boolean;
}

/** A recorded request with the body that was sent, so a test can assert it (headers are never kept: they hold credentials). */
export interface SimRecordedRequest extends RecordedRequest {
  body: string;
}

/** Sliding-window request counts, the way providers count their limits. */
export interface SlidingWindows {
  /** ms until `key` may make one more request under `rule`; 0 when it may now */
  waitMs(key: string, rule: LimitRule): number;
  /** counts one request against `key` */
  count(key: string, rule: LimitRule): void;
}

export interface SimulatorServerSpec {
  type: string;
  options: SimulatorOptions;
  /** the real API's path prefix (e.g. `/public_api/v1`); the URL `start()` resolves ends with it */
  basePath?: string;
  /** real-provider transition time when options.transitionMs is absent */
  defaultTransitionMs?: number;
  /** what limit windows and the request log read the time from (default: the system clock) */
  clock?: Clock;
  /** the garbage a `malformed` fault answers with (status 200) */
  malformedBody?: string;
  /** answers one provider request; faults are applied before it and /_sim/ requests never reach it */
  handle(request: SimRequest, sim: SimulatorServer): SimReply | Promise<SimReply>;
}

export interface SimulatorServer extends Simulator {
  readonly requests: readonly SimRecordedRequest[];
  readonly timeScale: number;
  /** limit windows, already divided by timeScale */
  readonly windows: SlidingWindows;
  /** every resource and its raw state */
  resources(): Record<string, string>;
  /**
   * Sets `raw` after `afterMs` of real-provider time (divided by timeScale; default: the transition
   * time), replacing any pending transition of the resource.
   */
  transitionLater(resource: string, raw: string, afterMs?: number): void;
  /** resolves when the resource is in state `raw` (already, or later) */
  waitForState(resource: string, raw: string): Promise<void>;
}

const faultSchema = z.strictObject({
  kind: z.enum(['error', 'slow', 'drop', 'malformed']),
  match: z.string().min(1).optional(),
  count: z.number().int().positive().optional(),
  status: z.number().int().min(100).max(599).optional(),
  delayMs: z.number().int().nonnegative().optional(),
});
const stateBodySchema = z.strictObject({ state: z.string().min(1) });

const MAX_RECORDED = 10_000;
const MAX_BODY_BYTES = 1_000_000;

interface Waiter<T> {
  test(value: T): boolean;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function createSimulatorServer(spec: SimulatorServerSpec): SimulatorServer {
  const { type, options } = spec;
  const clock = spec.clock ?? systemClock();
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`[sim ${type}] timeScale must be > 0, got ${timeScale}`);
  const transitionMs = options.transitionMs ?? spec.defaultTransitionMs ?? 30_000;
  const basePath = (spec.basePath ?? '').replace(/\/+$/, '');
  const label = `[sim ${type}]`;

  const states = new Map(Object.entries(options.resources ?? {}));
  const transitions = new Map<string, NodeJS.Timeout>();
  const sleeps = new Set<() => void>();
  const log: SimRecordedRequest[] = [];
  const faults: { fault: Fault; remaining: number }[] = [];
  const requestWaiters = new Set<Waiter<SimRecordedRequest>>();
  const stateWaiters = new Set<Waiter<{ resource: string; raw: string }>>();
  const windowLog = new Map<string, number[]>();
  let url: string | undefined;
  let closed = false;

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      options.logger?.error({ err: error, simulator: type }, 'simulator failed to answer');
      if (!res.headersSent) send(res, { status: 500, body: { message: 'simulator error' } });
      else res.destroy();
    });
  });

  const windows: SlidingWindows = {
    waitMs(key, rule) {
      const stamps = recent(key, rule);
      if (stamps.length < rule.max) return 0;
      return Math.max(1, stamps[stamps.length - rule.max]! + rule.perMs / timeScale - clock.now().getTime());
    },
    count(key, rule) {
      const stamps = recent(key, rule);
      stamps.push(clock.now().getTime());
      windowLog.set(key, stamps);
    },
  };

  /** the stamps inside the window; they are in time order, so expired ones are cut from the front */
  function recent(key: string, rule: LimitRule): number[] {
    const since = clock.now().getTime() - rule.perMs / timeScale;
    const stamps = windowLog.get(key) ?? [];
    let expired = 0;
    while (expired < stamps.length && stamps[expired]! <= since) expired++;
    if (expired > 0) stamps.splice(0, expired);
    if (stamps.length === 0) windowLog.delete(key);
    else windowLog.set(key, stamps);
    return stamps;
  }

  function applyState(resource: string, raw: string): void {
    states.set(resource, raw);
    for (const waiter of stateWaiters) if (waiter.test({ resource, raw })) waiter.resolve({ resource, raw });
  }

  function cancelTransition(resource: string): void {
    clearTimeout(transitions.get(resource));
    transitions.delete(resource);
  }

  function takeFault(key: string): Fault | undefined {
    const index = faults.findIndex(({ fault }) => fault.match === undefined || key.includes(fault.match));
    if (index < 0) return undefined;
    const active = faults[index]!;
    active.remaining -= 1;
    if (active.remaining <= 0) faults.splice(index, 1);
    return active.fault;
  }

  function record(entry: SimRecordedRequest): void {
    log.push(entry);
    if (log.length > MAX_RECORDED) log.splice(0, log.length - MAX_RECORDED);
    options.logger?.debug({ simulator: type, method: entry.method, path: entry.path, status: entry.status, fault: entry.fault }, 'simulated request');
    for (const waiter of requestWaiters) if (waiter.test(entry)) waiter.resolve(entry);
  }

  // Resolves early (and the caller answers nothing) when the simulator closes meanwhile.
  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleeps.add(wake);
    });
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', 'http://simulator');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const control = target.pathname.indexOf('/_sim/');
    if (control >= 0) return send(res, controlRequest(method, target.pathname.slice(control + '/_sim'.length), body));

    const path = `${target.pathname}${target.search}`;
    const base = { at: clock.now().toISOString(), method, path, body, authorized: true, limited: false };
    const fault = takeFault(`${method} ${path}`);
    if (fault?.kind === 'drop') {
      record({ ...base, status: 0, fault: 'drop' });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'error') {
      const status = fault.status ?? 503;
      record({ ...base, status, fault: 'error' });
      return send(res, { status, body: { message: `simulated ${status}` } });
    }
    if (fault?.kind === 'malformed') {
      record({ ...base, status: 200, fault: 'malformed' });
      return send(res, { status: 200, body: spec.malformedBody ?? '{"status": "runn', headers: { 'content-type': 'application/json' } });
    }
    if (fault?.kind === 'slow') {
      await sleep(fault.delayMs ?? 5_000);
      if (closed) return;
    }
    const reply = await spec.handle({ method, pathname: target.pathname, query: target.searchParams, headers: req.headers, body }, sim);
    record({
      ...base,
      status: reply.status,
      authorized: reply.authorized ?? true,
      limited: reply.limited ?? false,
      ...(fault ? { fault: fault.kind } : {}),
    });
    send(res, reply);
  }

  function controlRequest(method: string, route: string, body: string): SimReply {
    const invalid = (message: string): SimReply => ({ status: 400, body: { message: `${label} ${message}` } });
    if (route === '/requests' && method === 'GET') return { status: 200, body: log };
    if (route === '/faults' && method === 'DELETE') {
      sim.clearFaults();
      return { status: 204 };
    }
    if (route === '/faults' && method === 'POST') {
      const parsed = faultSchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(`bad fault: ${z.prettifyError(parsed.error)}`);
      sim.injectFault(parsed.data);
      return { status: 201, body: parsed.data };
    }
    if (route === '/resources' && method === 'GET') return { status: 200, body: sim.resources() };
    const resource = /^\/resources\/([^/]+)$/.exec(route)?.[1];
    if (resource !== undefined && method === 'PUT') {
      const parsed = stateBodySchema.safeParse(parseJson(body));
      if (!parsed.success) return invalid(`bad state: ${z.prettifyError(parsed.error)}`);
      const id = decodeSegment(resource);
      if (id === undefined) return invalid(`bad resource id ${resource}`);
      sim.setState(id, parsed.data.state);
      return { status: 200, body: { id, state: parsed.data.state } };
    }
    return { status: 404, body: { message: `${label} no control endpoint ${method} /_sim${route}` } };
  }

  function waitFor<T>(waiters: Set<Waiter<T>>, test: (value: T) => boolean): Promise<T> {
    if (closed) return Promise.reject(new Error(`${label} closed`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        test,
        resolve: (value) => {
          waiters.delete(waiter);
          resolve(value);
        },
        reject,
      };
      waiters.add(waiter);
    });
  }

  const sim: SimulatorServer = {
    type,
    timeScale,
    windows,
    get url() {
      if (url === undefined) throw new Error(`${label} not started`);
      return url;
    },
    get requests() {
      return log;
    },
    async start() {
      if (url !== undefined) return url;
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      url = `http://${shown}:${port}${basePath}`;
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of transitions.values()) clearTimeout(timer);
      transitions.clear();
      for (const wake of sleeps) wake();
      const error = new Error(`${label} closed`);
      for (const waiter of [...requestWaiters, ...stateWaiters]) waiter.reject(error);
      requestWaiters.clear();
      stateWaiters.clear();
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
    injectFault(fault) {
      faults.push({ fault, remaining: fault.count ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults.length = 0;
    },
    stateOf(resource) {
      return states.get(resource);
    },
    setState(resource, raw) {
      cancelTransition(resource);
      applyState(resource, raw);
    },
    resources() {
      return Object.fromEntries(states);
    },
    transitionLater(resource, raw, afterMs = transitionMs) {
      cancelTransition(resource);
      if (closed) return;
      const timer = setTimeout(() => {
        transitions.delete(resource);
        applyState(resource, raw);
      }, afterMs / timeScale);
      // A pending transition must not keep `offhours simulate` (or a test run) alive on its own.
      timer.unref();
      transitions.set(resource, timer);
    },
    waitForState(resource, raw) {
      if (states.get(resource) === raw) return Promise.resolve();
      return waitFor(stateWaiters, (change) => change.resource === resource && change.raw === raw).then(() => undefined);
    },
    waitForRequest(match, count = 1) {
      const test = typeof match === 'string' ? (request: RecordedRequest) => `${request.method} ${request.path}`.includes(match) : match;
      const seen = log.filter(test);
      if (seen.length >= count) return Promise.resolve(seen[count - 1]!);
      let remaining = count - seen.length;
      return waitFor(requestWaiters, (request) => test(request) && --remaining === 0);
    },
  };
  return sim;
}

function send(res: ServerResponse, reply: SimReply): void {
  const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const contentType = typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  res.writeHead(reply.status, { ...(text ? { 'content-type': contentType } : {}), ...reply.headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A percent-encoded path segment decoded, or undefined when it is not valid encoding. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The Basic-auth user and password of a request, or undefined when it has none. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
