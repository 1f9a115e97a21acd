import { z } from 'zod';
import type { Clock } from '../../util/clock.ts';
import type { Action, LimitRule } from '../provider.ts';
import { basicCredentials, createSimulatorServer, decodeSegment, type SimReply, type SimRequest, type SimulatorOptions, type SimulatorServer } from '../simulator-kit.ts';
import { upcloudStartRequestSchema, upcloudStopRequestSchema } from './upcloud-schemas.ts';

export type UpcloudSimulatorOptions = SimulatorOptions & {
  /** what the rate-limit window is counted on; tests pass a manual clock */
  clock?: Clock;
};

const MINUTE_MS = 60_000;
/** A server boots, or shuts down when its guest cooperates, in about half a minute. */
const DEFAULT_TRANSITION_MS = 30_000;
/** Pulling the plug is quick, but not instant: the state changes a moment after the 200. */
const HARD_STOP_MS = 5_000;

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);
const count = z.string().regex(/^\d+$/, 'a whole number').transform(Number);

/** The readings PROVIDERS.md leaves unconfirmed, one switch each. */
const switchesSchema = z.strictObject({
  /** the state a 200 on start/stop shows: the one before the action (a stop still says `started`) or the one after */
  actionBody: z.enum(['before', 'after']).default('before'),
  /** what a server shows while a start/stop is under way: its old state, or `maintenance` */
  transitionState: z.enum(['none', 'maintenance']).default('none'),
  /** SERVER_STATE_ILLEGAL's message: generic, or naming the state ("... is in state 'started'") */
  illegalStateMessage: z.enum(['generic', 'state']).default('generic'),
  /** error envelope: classic `{error: {error_code, error_message}}` or RFC 7807 application/problem+json */
  errorFormat: z.enum(['classic', 'problem']).default('classic'),
  /** an undocumented limit: requests per minute per credential, 429 beyond it; 0 is none (documented) */
  requestsPerMinute: count.default(0),
  /** send Retry-After with a 429 */
  retryAfter: flag.default(false),
  /** the guest ignores the ACPI shutdown: a soft stop ends only when its timeout turns it hard */
  guestIgnoresSoftStop: flag.default(false),
});
export type UpcloudSimulatorSwitches = z.output<typeof switchesSchema>;

const MESSAGES = {
  AUTHENTICATION_FAILED: { status: 401, title: 'Authentication failed using the given username and password.' },
  SERVER_NOT_FOUND: { status: 404, title: 'The server does not exist.' },
  NOT_FOUND: { status: 404, title: 'No such endpoint.' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The request uses an invalid HTTP verb.' },
  SERVER_STATE_ILLEGAL: { status: 409, title: 'The server is in a state in which the operation cannot be performed.' },
  REQUEST_INVALID: { status: 400, title: 'The request cannot be parsed.' },
  UNKNOWN_ATTRIBUTE: { status: 400, title: 'The request has an unknown attribute.' },
  STOP_TYPE_INVALID: { status: 400, title: 'The stop type is invalid.' },
  TIMEOUT_INVALID: { status: 400, title: 'The timeout is invalid: a string of 1 to 600 seconds.' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many requests.' },
} as const;
type ErrorCode = keyof typeof MESSAGES;

// Any base path prefix: `/1.3/server/00aa.../stop` and `/server/00aa.../stop` alike.
const ROUTE = /^(?:\/.*)?\/server\/([^/]+)(?:\/(start|stop))?\/?$/;

/** UpCloud's server API (1.3), as PROVIDERS.md describes it, on the simulator kit. */
export function createUpcloudSimulator(options: UpcloudSimulatorOptions = {}): SimulatorServer {
  const parsed = switchesSchema.safeParse(options.switches ?? {});
  if (!parsed.success) throw new Error(`[sim upcloud] bad switches: ${z.prettifyError(parsed.error)}`);
  const switches = parsed.data;
  const token = options.credentials?.token ?? 'demo-token';
  const username = options.credentials?.username ?? 'demo-user';
  const password = options.credentials?.password ?? 'demo-password';
  const transitionMs = options.transitionMs ?? DEFAULT_TRANSITION_MS;
  const rateLimit: LimitRule | undefined = switches.requestsPerMinute > 0 ? { max: switches.requestsPerMinute, perMs: MINUTE_MS } : undefined;
  let problems = 0;

  function error(code: ErrorCode, message?: string, extra: Partial<SimReply> = {}): SimReply {
    const { status, title } = MESSAGES[code];
    if (switches.errorFormat === 'classic') return { status, body: { error: { error_code: code, error_message: message ?? title } }, ...extra };
    problems += 1;
    const body = { type: `https://developers.upcloud.com/1.3/errors#ERROR_${code}`, title: message ?? title, status, correlation_id: `sim-${problems}` };
    return { status, body, ...extra, headers: { ...extra.headers, 'content-type': 'application/problem+json' } };
  }

  /** Who is calling (the key a rate-limit window counts on), or undefined when the credentials are refused. */
  function caller(request: SimRequest): string | undefined {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) return bearer === token ? 'token' : undefined;
    const basic = basicCredentials(request.headers);
    return basic?.user === username && basic.password === password ? `user ${username}` : undefined;
  }

  function serverBody(uuid: string, state: string): unknown {
    return {
      server: {
        uuid,
        hostname: `server-${uuid.slice(0, 8)}.example.com`,
        title: `server ${uuid.slice(0, 8)}`,
        zone: 'fi-hel1',
        plan: '1xCPU-2GB',
        core_number: '1',
        memory_amount: '2048',
        state,
        tags: { tag: [] },
      },
    };
  }

  function illegal(uuid: string, state: string, action: Action): SimReply {
    if (switches.illegalStateMessage === 'generic') return error('SERVER_STATE_ILLEGAL');
    return error('SERVER_STATE_ILLEGAL', `The operation ${action} is not allowed while the server ${uuid} is in state '${state}'.`);
  }

  /** Real-provider time until a stop lands; undefined when it never does (a guest that ignores a soft stop without timeout). */
  function stopDelay(body: z.output<typeof upcloudStopRequestSchema>): { afterMs: number | undefined } | { invalid: ErrorCode } {
    const stopType = body.stop_server.stop_type ?? 'soft';
    if (stopType !== 'soft' && stopType !== 'hard') return { invalid: 'STOP_TYPE_INVALID' };
    const hardMs = Math.min(transitionMs, HARD_STOP_MS);
    if (stopType === 'hard') return { afterMs: hardMs };
    const { timeout } = body.stop_server;
    let timeoutMs: number | undefined;
    if (typeof timeout === 'string') {
      if (!/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 600) return { invalid: 'TIMEOUT_INVALID' };
      timeoutMs = Number(timeout) * 1_000;
    } else if (timeout !== undefined && typeof timeout !== 'number') {
      return { invalid: 'TIMEOUT_INVALID' };
    }
    // Documented as a string: a number is accepted and ignored, as UpCloud does. A soft stop that times out becomes hard.
    if (timeoutMs === undefined) return { afterMs: switches.guestIgnoresSoftStop ? undefined : transitionMs };
    return { afterMs: switches.guestIgnoresSoftStop || transitionMs > timeoutMs ? timeoutMs + hardMs : transitionMs };
  }

  function act(sim: SimulatorServer, uuid: string, state: string, action: Action, text: string): SimReply {
    const json = parseJson(text);
    if (json === INVALID) return error('REQUEST_INVALID');
    let afterMs: number | undefined = transitionMs;
    if (action === 'start') {
      // the body is optional (host placement options only)
      if (json !== undefined && !upcloudStartRequestSchema.safeParse(json).success) return error('UNKNOWN_ATTRIBUTE', 'The request body is not {"server": {...}}.');
    } else {
      const body = upcloudStopRequestSchema.safeParse(json);
      if (!body.success) return error('UNKNOWN_ATTRIBUTE', 'The request body is not {"stop_server": {"stop_type", "timeout"}}.');
      const stop = stopDelay(body.data);
      if ('invalid' in stop) return error(stop.invalid);
      afterMs = stop.afterMs;
    }

    const [from, to] = action === 'start' ? ['stopped', 'started'] : ['started', 'stopped'];
    if (state !== from) return illegal(uuid, state, action);
    if (afterMs === undefined) {
      // the guest sits on the shutdown request: nothing changes, and an earlier pending stop is gone too
      sim.setState(uuid, state);
    } else {
      if (switches.transitionState === 'maintenance') sim.setState(uuid, 'maintenance');
      sim.transitionLater(uuid, to, afterMs);
    }
    return { status: 200, body: serverBody(uuid, switches.actionBody === 'before' ? from : to) };
  }

  return createSimulatorServer({
    type: 'upcloud',
    options,
    basePath: '/1.3',
    defaultTransitionMs: DEFAULT_TRANSITION_MS,
    ...(options.clock ? { clock: options.clock } : {}),
    malformedBody: '{"server": {"state": "sta',
    handle(request, sim) {
      const who = caller(request);
      if (who === undefined) return error('AUTHENTICATION_FAILED', undefined, { authorized: false });
      if (rateLimit) {
        const waitMs = sim.windows.waitMs(who, rateLimit);
        if (waitMs > 0) {
          const headers = switches.retryAfter ? { 'retry-after': String(Math.ceil(waitMs / 1000)) } : undefined;
          return error('TOO_MANY_REQUESTS', undefined, { limited: true, ...(headers ? { headers } : {}) });
        }
        sim.windows.count(who, rateLimit);
      }
      const route = ROUTE.exec(request.pathname);
      const uuid = route ? decodeSegment(route[1]!) : undefined;
      if (!route || uuid === undefined) return error('NOT_FOUND', `No such endpoint ${request.method} ${request.pathname}.`);
      const action = route[2] as Action | undefined;
      if (request.method !== (action ? 'POST' : 'GET')) return error('METHOD_NOT_ALLOWED');
      const state = sim.stateOf(uuid);
      if (state === undefined) return error('SERVER_NOT_FOUND', `The server ${uuid} does not exist.`);
      if (!action) return { status: 200, body: serverBody(uuid, state) };
      return act(sim, uuid, state, action, request.body);
    },
  });
}

const INVALID = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}
