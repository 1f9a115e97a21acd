import { z } from 'zod';
import { systemClock, type Clock } from '../../util/clock.ts';
import type { LimitRule } from '../provider.ts';
import { createSimulatorServer, type SimReply, type SimRequest, type SimulatorOptions, type SimulatorServer } from '../simulator-kit.ts';
import { ULTIPA_FIELDS, type UltipaResourceKind } from './ultipa-schemas.ts';

export type UltipaSimulatorOptions = SimulatorOptions & {
  /** what limit windows are counted on; tests pass a manual clock */
  clock?: Clock;
};

/** The key `offhours demo` and `offhours simulate ultipa` accept when given no credentials. */
export const ULTIPA_DEMO_API_KEY = 'demo-api-key';

/** How Ultipa counts (its documentation): 80 requests per minute, every request alike. */
const ULTIPA_LIMIT: LimitRule = { max: 80, perMs: 60_000 };

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** The readings PROVIDERS.md leaves unconfirmed, one switch each. */
const switchesSchema = z.strictObject({
  /** HTTP status of an error answer: always 200 (`ok`), or the one its code means (`code`: 405, 1217→404, 1302→401, 1303→429 ...) */
  errorStatus: z.enum(['ok', 'code']).default('ok'),
  /** a starting resource reads STARTING; off, it reads STOPPED until it runs */
  startingState: flag.default(false),
  /** what the 80-per-minute window is counted per: each API key, or the whole account */
  limitScope: z.enum(['key', 'account']).default('key'),
  /** refused requests (405, 1217, 400) still use up the window */
  countRejected: flag.default(true),
  /** send Retry-After with a 1303 (undocumented) */
  retryAfter: flag.default(false),
  /** start on a RUNNING / stop on a STOPPED resource: 405, or a success that changes nothing */
  alreadyAnswer: z.enum(['not-allowed', 'success']).default('not-allowed'),
  /** an unknown id in `POST /state`: left out of `data`, or 1217 for the whole request */
  unknownIds: z.enum(['omit', 'error']).default('omit'),
  /** which API generations the account has: `/instance` (v4), `/cluster` (newer), or both */
  api: z.enum(['both', 'instance', 'cluster']).default('both'),
});
export type UltipaSimulatorSwitches = z.output<typeof switchesSchema>;

const CODES = {
  notAllowed: { code: 405, http: 405, message: 'Operation not allowed' },
  invalid: { code: 400, http: 400, message: 'Invalid parameter' },
  noSuchResource: { code: 1217, http: 404, message: 'The instance does not exist' },
  noKey: { code: 1301, http: 401, message: 'Unable to verify identity' },
  badKey: { code: 1302, http: 401, message: 'Key is invalid or has been revoked' },
  limited: { code: 1303, http: 429, message: 'Key requests are frequent, please try again later.' },
} as const;

// Any base path prefix: `/open/dbaas/v1/instance/state` and `/instance/state` alike.
const ROUTE = /^(?:\/.*)?\/(instance|cluster)\/(state|start|stop|list)\/?$/;

const LIST_FILTER: Record<number, (raw: string) => boolean> = {
  1: () => true,
  2: (raw) => raw === 'RUNNING',
  3: (raw) => raw === 'STOPPED',
  4: (raw) => raw === 'TERMINATED',
};
const positiveInt = z.coerce.number().int().positive();
const listQuerySchema = z.object({
  instanceStateFilter: positiveInt.refine((value) => value in LIST_FILTER, 'one of 1, 2, 3, 4').default(1),
  search: z.string().default(''),
  page: positiveInt.default(1),
  size: positiveInt.optional(),
});

/** Ultipa Cloud's instance and cluster API, as PROVIDERS.md describes it, on the simulator kit. */
export function createUltipaSimulator(options: UltipaSimulatorOptions = {}): SimulatorServer {
  const parsed = switchesSchema.safeParse(options.switches ?? {});
  if (!parsed.success) throw new Error(`[sim ultipa] bad switches: ${z.prettifyError(parsed.error)}`);
  const switches = parsed.data;
  // every value is a key of the one simulated account, so limitScope `account` can be played
  const keys = new Set(Object.values(options.credentials ?? { apiKey: ULTIPA_DEMO_API_KEY }));
  const clock = options.clock ?? systemClock();

  function success(data: unknown): SimReply {
    return { status: 200, body: { code: 200, message: 'success', data } };
  }

  function fail(kind: keyof typeof CODES, message: string = CODES[kind].message, extra: Partial<SimReply> = {}): SimReply {
    const { code, http } = CODES[kind];
    return { status: switches.errorStatus === 'ok' ? 200 : http, body: { code, message, data: null }, ...extra };
  }

  // What the web framework answers before Ultipa's own code runs: no envelope.
  function frameworkError(status: 404 | 405, request: SimRequest): SimReply {
    const error = status === 404 ? 'Not Found' : 'Method Not Allowed';
    return { status, body: { timestamp: clock.now().toISOString(), status, error, path: request.pathname } };
  }

  /** STARTING is the simulator's truth while a start runs; whether the API shows it is a switch. */
  function shown(raw: string): string {
    return raw === 'STARTING' && !switches.startingState ? 'STOPPED' : raw;
  }

  function entry(kind: UltipaResourceKind, id: string, raw: string): Record<string, string> {
    const fields = ULTIPA_FIELDS[kind];
    return { [fields.id]: id, [fields.state]: shown(raw), name: `${kind} ${id}` };
  }

  function bodyOf<T extends z.ZodType>(request: SimRequest, schema: T): z.output<T> | undefined {
    let json: unknown;
    try {
      json = JSON.parse(request.body);
    } catch {
      return undefined;
    }
    const result = schema.safeParse(json);
    return result.success ? result.data : undefined;
  }

  function states(sim: SimulatorServer, kind: UltipaResourceKind, request: SimRequest): SimReply {
    const field = ULTIPA_FIELDS[kind].ids;
    const ids = bodyOf(request, z.looseObject({ [field]: z.array(z.string()) }))?.[field] as string[] | undefined;
    if (!ids) return fail('invalid', `${field} must be a list of ids`);
    const known = ids.flatMap((id) => {
      const raw = sim.stateOf(id);
      return raw === undefined ? [] : [entry(kind, id, raw)];
    });
    if (known.length < ids.length && switches.unknownIds === 'error') return fail('noSuchResource');
    return success(known);
  }

  function act(sim: SimulatorServer, kind: UltipaResourceKind, action: 'start' | 'stop', request: SimRequest): SimReply {
    const field = ULTIPA_FIELDS[kind].id;
    const id = bodyOf(request, z.looseObject({ [field]: z.string().min(1) }))?.[field] as string | undefined;
    if (id === undefined) return fail('invalid', `${field} is required`);
    const state = sim.stateOf(id);
    if (state === undefined) return fail('noSuchResource');
    const [from, via, to] = action === 'start' ? ['STOPPED', 'STARTING', 'RUNNING'] : ['RUNNING', 'STOPPING', 'STOPPED'];
    if (state === to && switches.alreadyAnswer === 'success') return success(null);
    if (state !== from) return fail('notAllowed', `Operation not allowed: ${kind} ${id} is ${shown(state)}`);
    sim.setState(id, via);
    sim.transitionLater(id, to);
    return success(null);
  }

  function list(sim: SimulatorServer, kind: UltipaResourceKind, request: SimRequest): SimReply {
    const query = listQuerySchema.safeParse(Object.fromEntries(request.query));
    if (!query.success) return fail('invalid', `bad query: ${query.error.issues[0]?.path.join('.')}`);
    const { instanceStateFilter, search, page } = query.data;
    const wanted = LIST_FILTER[instanceStateFilter] ?? (() => true);
    // the documented defaults: 999 per page for instances, 20 for clusters
    const size = query.data.size ?? (kind === 'instance' ? 999 : 20);
    const matching = Object.entries(sim.resources())
      .filter(([id, raw]) => wanted(shown(raw)) && (id.includes(search) || `${kind} ${id}`.includes(search)))
      .map(([id, raw]) => entry(kind, id, raw));
    return success({
      page,
      size,
      totalPages: Math.ceil(matching.length / size),
      totalElements: matching.length,
      list: matching.slice((page - 1) * size, page * size),
    });
  }

  function answer(request: SimRequest, sim: SimulatorServer): SimReply {
    const route = ROUTE.exec(request.pathname);
    const kind = route?.[1] as UltipaResourceKind | undefined;
    if (!route || !kind || (switches.api !== 'both' && switches.api !== kind)) return frameworkError(404, request);
    const operation = route[2] as 'state' | 'start' | 'stop' | 'list';
    if (request.method !== (operation === 'list' ? 'GET' : 'POST')) return frameworkError(405, request);
    if (operation === 'list') return list(sim, kind, request);
    if (operation === 'state') return states(sim, kind, request);
    return act(sim, kind, operation, request);
  }

  return createSimulatorServer({
    type: 'ultipa',
    options,
    basePath: '/open/dbaas/v1',
    // an Ultipa instance takes minutes to start or stop
    defaultTransitionMs: 120_000,
    clock,
    malformedBody: '{"code": 200, "message": "success", "data": [{"instanceId": "ultip',
    handle(request, sim) {
      const header = request.headers.api_key;
      const apiKey = Array.isArray(header) ? header[0] : header;
      if (!apiKey) return fail('noKey', undefined, { authorized: false });
      if (!keys.has(apiKey)) return fail('badKey', undefined, { authorized: false });

      const windowKey = switches.limitScope === 'key' ? `requests key ${apiKey}` : 'requests account';
      const waitMs = sim.windows.waitMs(windowKey, ULTIPA_LIMIT);
      if (waitMs > 0) {
        const headers = switches.retryAfter ? { 'retry-after': String(Math.ceil(waitMs / 1000)) } : undefined;
        return fail('limited', undefined, { limited: true, ...(headers ? { headers } : {}) });
      }
      const reply = answer(request, sim);
      const refused = reply.status !== 200 || (reply.body as { code?: unknown }).code !== 200;
      if (!refused || switches.countRejected) sim.windows.count(windowKey, ULTIPA_LIMIT);
      return reply;
    },
  });
}
