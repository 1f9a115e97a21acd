import { z } from 'zod';
import type { Clock } from '../../util/clock.ts';
import type { LimitRule } from '../provider.ts';
import { basicCredentials, createSimulatorServer, decodeSegment, type SimReply, type SimRequest, type SimulatorOptions, type SimulatorServer } from '../simulator-kit.ts';
import { formatKeyValueBody, type CloudsigmaApiVersion, type CloudsigmaVerb } from './cloudsigma-schemas.ts';

export type CloudsigmaSimulatorOptions = SimulatorOptions & {
  /** what limit windows are counted on; tests pass a manual clock */
  clock?: Clock;
  /** requests per minute each verb (GET, POST) may send per account: the documented 10,000 unless a test lowers it */
  requestsPerMinute?: number;
};

export const CLOUDSIGMA_DEMO_CREDENTIALS = { username: 'demo@example.com', password: 'demo-password' };

/** A start takes this long by default; a hard stop a sixth of it, an ACPI shutdown twice it (CloudSigma's ~60 s). */
const DEFAULT_START_MS = 30_000;
const HARD_STOP_SHARE = 1 / 6;
const ACPI_SHARE = 2;

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** The readings PROVIDERS.md leaves unconfirmed, one switch each. */
const switchesSchema = z.strictObject({
  /** the guest ignores an ACPI shutdown: `stopping` for the shutdown time, then `running` again */
  acpiIgnored: flag.default(false),
  /** send Retry-After with a 429 (undocumented) */
  retryAfter: flag.default(false),
  /** how API 1.0 refuses an action the server is already done with (undocumented): 409, 400 or a no-op success */
  legacyAlready: z.enum(['busy', 'bad-request', 'no-op']).default('busy'),
  /** what API 1.0 answers a start with: 200 and the server's pairs (its table) or an empty 204 (its example) */
  legacyStartReply: z.enum(['info', 'empty']).default('info'),
});
export type CloudsigmaSimulatorSwitches = z.output<typeof switchesSchema>;

// One server store serves both API versions: a state set in either vocabulary reads in the other as
// the nearest word (1.0 has no starting/stopping: a server is `active` from its start until it is off).
const AS_CURRENT: Record<string, string> = { active: 'running', dumped: 'unavailable', dead: 'unavailable' };
const AS_LEGACY: Record<string, string> = { running: 'active', starting: 'active', stopping: 'active', unavailable: 'dead' };
const asCurrent = (raw: string) => AS_CURRENT[raw] ?? raw;
const asLegacy = (raw: string) => AS_LEGACY[raw] ?? raw;

/** 2.0 states each verb acts from (a hard stop also cuts an ACPI shutdown short), and where it leads. */
const ACTS_FROM: Record<CloudsigmaVerb, readonly string[]> = { start: ['stopped'], stop: ['running', 'stopping'], shutdown: ['running'] };
const LEADS_TO: Record<CloudsigmaVerb, 'running' | 'stopped'> = { start: 'running', stop: 'stopped', shutdown: 'stopped' };
/** what 2.0's refusals say a verb needs, in the guest's words */
const NEEDS: Record<CloudsigmaVerb, string> = { start: 'stopped', stop: "['started', 'running_legacy']", shutdown: "['started', 'running_legacy']" };

type Route = { api: '2.0'; id: string; action: boolean; slash: boolean } | { api: '1.0'; id: string; command: 'info' | CloudsigmaVerb };

// Any base path prefix, as for the other simulators: `/api/2.0/servers/u1/` and `/servers/u1/` alike.
const LEGACY_ROUTE = /^(?:\/.*)?\/(?:servers|guests)\/([^/]+)\/(info|start|stop|shutdown)\/?$/;
const CURRENT_ROUTE = /^(?:\/.*)?\/servers\/([^/]+)(\/action)?(\/?)$/;

function route(pathname: string): Route | undefined {
  const legacy = LEGACY_ROUTE.exec(pathname);
  if (legacy) return { api: '1.0', id: legacy[1]!, command: legacy[2] as 'info' | CloudsigmaVerb };
  const current = CURRENT_ROUTE.exec(pathname);
  if (current) return { api: '2.0', id: current[1]!, action: current[2] !== undefined, slash: current[3] === '/' };
  return undefined;
}

const isVerb = (value: string): value is CloudsigmaVerb => value === 'start' || value === 'stop' || value === 'shutdown';

/** CloudSigma's server API, 2.0 (JSON) and 1.0 (text/plain) on the same servers, as PROVIDERS.md describes it. */
export function createCloudsigmaSimulator(options: CloudsigmaSimulatorOptions = {}): SimulatorServer {
  const parsed = switchesSchema.safeParse(options.switches ?? {});
  if (!parsed.success) throw new Error(`[sim cloudsigma] bad switches: ${z.prettifyError(parsed.error)}`);
  const switches = parsed.data;
  const perMinute = options.requestsPerMinute ?? 10_000;
  if (!Number.isInteger(perMinute) || perMinute < 1) throw new Error(`[sim cloudsigma] requestsPerMinute must be a positive integer, got ${perMinute}`);
  const limit: LimitRule = { max: perMinute, perMs: 60_000 };
  const username = options.credentials?.username ?? CLOUDSIGMA_DEMO_CREDENTIALS.username;
  const password = options.credentials?.password ?? CLOUDSIGMA_DEMO_CREDENTIALS.password;
  const startMs = options.transitionMs ?? DEFAULT_START_MS;

  const current = {
    error(status: number, type: string, message: string, point: string | null = null): SimReply {
      return { status, body: [{ error_point: point, error_type: type, error_message: message }] };
    },
    server(id: string, raw: string): SimReply {
      const status = asCurrent(raw);
      const up = status === 'running' || status === 'stopping';
      const body = {
        uuid: id,
        name: `server-${id}`,
        status,
        runtime: up ? { nics: [] } : null,
        cpu: 2000,
        mem: 2_147_483_648,
        smp: 1,
        drives: [],
        nics: [],
        meta: {},
        tags: [],
        resource_uri: `/api/2.0/servers/${id}/`,
      };
      return { status: 200, body };
    },
  };

  const legacy = {
    error: (status: number, text: string): SimReply => ({ status, body: `${text}\n` }),
    server: (id: string, raw: string): SimReply => ({
      status: 200,
      body: formatKeyValueBody({ status: asLegacy(raw), name: `server-${id}`, server: id, cpu: 2000, mem: 2048, smp: 1, persistent: true }),
    }),
  };

  /** Changes the server as `verb` does, through its transitional state, and lands it later. */
  function perform(sim: SimulatorServer, id: string, verb: CloudsigmaVerb, api: CloudsigmaApiVersion): void {
    const running = api === '1.0' ? 'active' : 'running';
    if (verb === 'start') {
      sim.setState(id, 'starting');
      sim.transitionLater(id, running, startMs);
    } else if (verb === 'stop') {
      sim.setState(id, 'stopping');
      sim.transitionLater(id, 'stopped', startMs * HARD_STOP_SHARE);
    } else {
      sim.setState(id, 'stopping');
      sim.transitionLater(id, switches.acpiIgnored ? running : 'stopped', startMs * ACPI_SHARE);
    }
  }

  function currentApi(request: SimRequest, sim: SimulatorServer, id: string, action: boolean): SimReply {
    const raw = sim.stateOf(id);
    if (!action) {
      if (request.method !== 'GET') return current.error(405, 'validation', `Method "${request.method}" not allowed here`);
      return raw === undefined ? current.error(404, 'notexist', `Server ${id} does not exist`) : current.server(id, raw);
    }
    if (request.method !== 'POST') return current.error(405, 'validation', `Method "${request.method}" not allowed here`);
    const verb = request.query.get('do') ?? '';
    if (!isVerb(verb)) return current.error(400, 'validation', `Unknown action "${verb}"`, 'do');
    if (request.body.trim() !== '' && !isJsonObject(request.body)) return current.error(400, 'validation', 'Request body is not a JSON object');
    if (raw === undefined) return current.error(404, 'notexist', `Server ${id} does not exist`);
    const state = asCurrent(raw);
    if (!ACTS_FROM[verb].includes(state)) {
      const guest = state === 'running' ? 'started' : state;
      return current.error(403, 'permission', `Cannot ${verb} guest in state "${guest}". Guest should be in state "${NEEDS[verb]}"`);
    }
    perform(sim, id, verb, '2.0');
    return { status: 202, body: { action: verb, result: 'success', uuid: id } };
  }

  function legacyApi(request: SimRequest, sim: SimulatorServer, id: string, command: 'info' | CloudsigmaVerb): SimReply {
    const expected = command === 'info' ? 'GET' : 'POST';
    if (request.method !== expected) return legacy.error(405, `${request.method} used on command expecting ${expected}`);
    const raw = sim.stateOf(id);
    if (raw === undefined) return legacy.error(404, `server ${id} not found`);
    if (command === 'info') return legacy.server(id, raw);
    const succeeded = (): SimReply => (command === 'start' && switches.legacyStartReply === 'info' ? legacy.server(id, sim.stateOf(id)!) : { status: 204 });
    if (ACTS_FROM[command].includes(asCurrent(raw))) {
      perform(sim, id, command, '1.0');
      return succeeded();
    }
    const shown = asLegacy(raw);
    const already = shown === (LEADS_TO[command] === 'running' ? 'active' : 'stopped');
    if (!already || switches.legacyAlready === 'busy') return legacy.error(409, `server ${id} is busy (${shown}); cannot ${command}`);
    if (switches.legacyAlready === 'bad-request') return legacy.error(400, `errors:status server ${id} is already ${shown}`);
    return succeeded();
  }

  return createSimulatorServer({
    type: 'cloudsigma',
    options,
    basePath: '/api/2.0',
    defaultTransitionMs: DEFAULT_START_MS,
    ...(options.clock ? { clock: options.clock } : {}),
    handle(request, sim) {
      const target = route(request.pathname);
      // Django's APPEND_SLASH answers before authentication does.
      if (target?.api === '2.0' && !target.slash) {
        const search = request.query.size > 0 ? `?${request.query.toString()}` : '';
        return { status: 301, headers: { location: `${request.pathname}/${search}` } };
      }
      const speaksLegacy = target?.api === '1.0';
      const who = basicCredentials(request.headers);
      if (who?.user !== username || who.password !== password) {
        const reply = speaksLegacy ? legacy.error(401, 'Unauthorized') : current.error(401, 'permission', 'Authentication credentials were not provided or are wrong.');
        return { ...reply, authorized: false };
      }

      // Counted per account and verb, as CloudSigma documents; a refused (429) request does not count.
      const windowKey = `${who.user} ${request.method}`;
      const waitMs = sim.windows.waitMs(windowKey, limit);
      if (waitMs > 0) {
        const message = `Request was throttled: ${perMinute} ${request.method} requests per minute`;
        const reply = speaksLegacy ? legacy.error(429, message) : current.error(429, 'permission', message);
        const headers = switches.retryAfter ? { 'retry-after': String(Math.ceil(waitMs / 1000)) } : undefined;
        return { ...reply, limited: true, ...(headers ? { headers } : {}) };
      }
      sim.windows.count(windowKey, limit);

      const id = target ? decodeSegment(target.id) : undefined;
      if (!target || id === undefined) return current.error(404, 'notexist', `No such endpoint ${request.method} ${request.pathname}`);
      return target.api === '1.0' ? legacyApi(request, sim, id, target.command) : currentApi(request, sim, id, target.action);
    },
  });
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
