import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../util/clock.ts';
import type { LimitRule } from '../provider.ts';
import { basicCredentials, createSimulatorServer, decodeSegment, type SimReply, type SimRequest, type SimulatorOptions, type SimulatorServer } from '../simulator-kit.ts';
import { clickhouseStateCommandSchema, type ClickhouseStateCommand } from './clickhouse-schemas.ts';

export type ClickhouseSimulatorOptions = SimulatorOptions & {
  /** what limit windows are counted on; tests pass a manual clock */
  clock?: Clock;
};

/** What the simulator accepts when no credentials are given (`offhours demo`, `offhours simulate clickhouse`). */
export const CLICKHOUSE_DEMO_CREDENTIALS = {
  keyId: 'demo-key-id',
  keySecret: 'demo-key-secret',
  organizationId: '0d3e0000-0000-4000-8000-00000000c1c0',
} as const;

/** How ClickHouse counts: 10 requests per 10 seconds per API key, every endpoint alike. */
const KEY_LIMIT: LimitRule = { max: 10, perMs: 10_000 };

/** ClickHouse's default idle timeout for a service with idle scaling. */
const DEFAULT_IDLE_TIMEOUT_MINUTES = 15;

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** The readings PROVIDERS.md and the public pages leave open, one switch each. */
const switchesSchema = z.strictObject({
  /** what a stop of an idle service gets: 424 "must be awake" (as other calls get while idle), a 409, or a plain stop */
  idleStop: z.enum(['failed-dependency', 'conflict', 'stops']).default('failed-dependency'),
  /** what a start of an idle service gets: a 409 (only stopped services start), or it wakes as `awake` does */
  idleStart: z.enum(['conflict', 'wakes']).default('conflict'),
  /** the headers a 429 carries: X-RateLimit-Reset (seen in practice), Retry-After, both or none */
  throttleHeaders: z.enum(['reset', 'retry-after', 'both', 'none']).default('reset'),
  /** the status refused credentials get */
  authFailure: z.enum(['401', '403']).default('403'),
  /** refused requests (4xx other than 429) use up the key's budget */
  countRejected: flag.default(true),
  /** the state a start/stop answer shows: the transitional one, or the one before the command */
  actionResult: z.enum(['transitional', 'previous']).default('transitional'),
});
export type ClickhouseSimulatorSwitches = z.output<typeof switchesSchema>;

const scalingBodySchema = z.strictObject({
  idleScaling: z.boolean().optional(),
  idleTimeoutMinutes: z.number().int().min(5, 'must be >= 5 minutes').optional(),
  minTotalMemoryGb: z.number().int().positive().optional(),
  maxTotalMemoryGb: z.number().int().positive().optional(),
});

interface Scaling {
  idleScaling: boolean;
  idleTimeoutMinutes: number;
}

/** States a stop takes down; `idle` depends on the idleStop switch. */
const STOPPABLE = new Set(['running', 'partially_running', 'degraded']);

const ROUTE = /^\/v1\/organizations\/([^/]+)\/services(?:\/([^/]+)(?:\/(state|scaling))?)?\/?$/;

/** ClickHouse Cloud's services API, as PROVIDERS.md describes it, on the simulator kit. */
export function createClickhouseSimulator(options: ClickhouseSimulatorOptions = {}): SimulatorServer {
  const parsed = switchesSchema.safeParse(options.switches ?? {});
  if (!parsed.success) throw new Error(`[sim clickhouse] bad switches: ${z.prettifyError(parsed.error)}`);
  const switches = parsed.data;
  const keyId = options.credentials?.keyId ?? CLICKHOUSE_DEMO_CREDENTIALS.keyId;
  const keySecret = options.credentials?.keySecret ?? CLICKHOUSE_DEMO_CREDENTIALS.keySecret;
  const organizationId = options.credentials?.organizationId ?? CLICKHOUSE_DEMO_CREDENTIALS.organizationId;
  const scalings = new Map<string, Scaling>();

  const scalingOf = (id: string): Scaling => scalings.get(id) ?? { idleScaling: false, idleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES };

  function reply(status: number, result: unknown): SimReply {
    return { status, body: { status, requestId: randomUUID(), result } };
  }

  function refuse(status: number, code: string, message: string, extra: Partial<SimReply> = {}): SimReply {
    return { status, body: { status, error: `${code}: ${message}`, requestId: randomUUID() }, ...extra };
  }

  function serviceBody(sim: SimulatorServer, id: string, state = sim.stateOf(id)): Record<string, unknown> {
    const scaling = scalingOf(id);
    return {
      id,
      name: `service-${id}`,
      provider: 'aws',
      region: 'us-east-1',
      state,
      endpoints: [{ protocol: 'https', host: `${id}.us-east-1.aws.clickhouse.cloud`, port: 8443 }],
      tier: 'production',
      minTotalMemoryGb: 24,
      maxTotalMemoryGb: 48,
      idleScaling: scaling.idleScaling,
      idleTimeoutMinutes: scaling.idleTimeoutMinutes,
      ipAccessList: [{ source: '0.0.0.0/0', description: 'anywhere' }],
      createdAt: '2024-03-04T09:10:11Z',
    };
  }

  // The idle timeout counts from the moment the service runs; no queries reach a simulator, so it always idles.
  function idleLater(sim: SimulatorServer, id: string): void {
    const scaling = scalingOf(id);
    if (scaling.idleScaling && sim.stateOf(id) === 'running') sim.transitionLater(id, 'idle', scaling.idleTimeoutMinutes * 60_000);
  }

  function move(sim: SimulatorServer, id: string, via: string, to: string): SimReply {
    const before = sim.stateOf(id);
    sim.setState(id, via);
    sim.transitionLater(id, to);
    if (to === 'running') sim.waitForState(id, 'running').then(() => idleLater(sim, id), () => {});
    return reply(200, serviceBody(sim, id, switches.actionResult === 'previous' ? before : via));
  }

  function conflict(state: string, allowed: string, verb: string): SimReply {
    return refuse(409, 'CONFLICT', `Only instance in one of the following states: ${allowed} can be ${verb}. Current state: '${state}'`);
  }

  function command(sim: SimulatorServer, id: string, state: string, name: ClickhouseStateCommand): SimReply {
    if (name === 'start') {
      if (state === 'stopped') return move(sim, id, 'starting', 'running');
      if (state === 'idle' && switches.idleStart === 'wakes') return move(sim, id, 'awaking', 'running');
      return conflict(state, "'stopped'", 'started');
    }
    if (name === 'stop') {
      if (STOPPABLE.has(state) || (state === 'idle' && switches.idleStop === 'stops')) return move(sim, id, 'stopping', 'stopped');
      if (state === 'idle' && switches.idleStop === 'failed-dependency') {
        return refuse(424, 'FAILED_DEPENDENCY', 'Service must be awake before it can be stopped. Current state: idle');
      }
      return conflict(state, "'running','partially_running','degraded'", 'stopped');
    }
    if (state === 'idle') return move(sim, id, 'awaking', 'running');
    return conflict(state, "'idle'", 'awoken');
  }

  function scale(sim: SimulatorServer, id: string, body: string): SimReply {
    const parsedBody = scalingBodySchema.safeParse(parseJson(body));
    if (!parsedBody.success) return refuse(400, 'BAD_REQUEST', z.prettifyError(parsedBody.error).replace(/\s+/g, ' '));
    const before = scalingOf(id);
    const next = { idleScaling: parsedBody.data.idleScaling ?? before.idleScaling, idleTimeoutMinutes: parsedBody.data.idleTimeoutMinutes ?? before.idleTimeoutMinutes };
    scalings.set(id, next);
    if (sim.stateOf(id) === 'running') {
      // Re-applying the state drops a pending idle transition; the new settings arm the next one.
      sim.setState(id, 'running');
      idleLater(sim, id);
    }
    return reply(200, serviceBody(sim, id));
  }

  function route(request: SimRequest, sim: SimulatorServer): SimReply {
    const match = ROUTE.exec(request.pathname);
    const org = match ? decodeSegment(match[1]!) : undefined;
    const id = match?.[2] === undefined ? undefined : decodeSegment(match[2]);
    if (!match || org === undefined || (match[2] !== undefined && id === undefined)) {
      return refuse(404, 'NOT_FOUND', `no such endpoint ${request.method} ${request.pathname}`);
    }
    if (org !== organizationId) return refuse(403, 'FORBIDDEN', `API key has no access to organization ${org}`, { authorized: false });
    const expected = match[3] === undefined ? 'GET' : 'PATCH';
    if (request.method !== expected) return refuse(405, 'METHOD_NOT_ALLOWED', `${request.method} not allowed here`);
    if (id === undefined) return reply(200, Object.keys(sim.resources()).map((each) => serviceBody(sim, each)));
    const state = sim.stateOf(id);
    if (state === undefined) return refuse(404, 'NOT_FOUND', `Service ${id} not found`);
    if (match[3] === 'scaling') return scale(sim, id, request.body);
    if (match[3] === 'state') {
      const body = clickhouseStateCommandSchema.safeParse(parseJson(request.body));
      if (!body.success) return refuse(400, 'BAD_REQUEST', "command must be one of 'start', 'stop', 'awake'");
      return command(sim, id, state, body.data.command);
    }
    return reply(200, serviceBody(sim, id));
  }

  function throttled(waitMs: number): SimReply {
    const seconds = String(Math.ceil(waitMs / 1000));
    const headers: Record<string, string> = {};
    if (switches.throttleHeaders === 'reset' || switches.throttleHeaders === 'both') headers['x-ratelimit-reset'] = seconds;
    if (switches.throttleHeaders === 'retry-after' || switches.throttleHeaders === 'both') headers['retry-after'] = seconds;
    return refuse(429, 'TOO_MANY_REQUESTS', 'Rate limit of 10 requests per 10 seconds exceeded', { limited: true, headers });
  }

  return createSimulatorServer({
    type: 'clickhouse',
    options,
    defaultTransitionMs: 60_000,
    malformedBody: '{"status": 200, "requestId": "5c1a", "result": {"id": "x", "state": "runn',
    ...(options.clock ? { clock: options.clock } : {}),
    handle(request, sim) {
      const who = basicCredentials(request.headers);
      if (who?.user !== keyId || who.password !== keySecret) {
        const status = Number(switches.authFailure);
        return refuse(status, status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', 'Invalid API key', { authorized: false });
      }
      const waitMs = sim.windows.waitMs(who.user, KEY_LIMIT);
      if (waitMs > 0) return throttled(waitMs);
      const answer = route(request, sim);
      if (answer.status < 400 || switches.countRejected) sim.windows.count(who.user, KEY_LIMIT);
      return answer;
    },
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
