import { z } from 'zod';
import type { Clock } from '../../util/clock.ts';
import type { LimitRule, Operation } from '../provider.ts';
import { basicCredentials, createSimulatorServer, decodeSegment, type SimReply, type SimulatorOptions, type SimulatorServer } from '../simulator-kit.ts';

export type EmqxSimulatorOptions = SimulatorOptions & {
  /** what limit windows are counted on; tests pass a manual clock */
  clock?: Clock;
};

const HOUR_MS = 3_600_000;

/** How EMQX counts (its documentation): status 60 per 60 minutes, start and stop once per 60 minutes. */
const EMQX_LIMITS: Record<Operation, LimitRule> = {
  status: { max: 60, perMs: HOUR_MS },
  start: { max: 1, perMs: HOUR_MS },
  stop: { max: 1, perMs: HOUR_MS },
};

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** The readings PROVIDERS.md leaves unconfirmed, one switch each. */
const switchesSchema = z.strictObject({
  /** what one limit window is counted per */
  limitScope: z.enum(['deployment', 'key', 'account']).default('deployment'),
  /** refused answers (4xx other than 401/429) still use up the window */
  countRejected: flag.default(true),
  /** send Retry-After with a 429 (undocumented) */
  retryAfter: flag.default(false),
  /** shape of `code` in error bodies */
  errorCode: z.enum(['string', 'number']).default('string'),
  /** the transitional state shown while a deployment starts */
  startingLabel: z.enum(['starting', 'pending']).default('starting'),
});
export type EmqxSimulatorSwitches = z.output<typeof switchesSchema>;

const ERRORS = {
  unauthorized: { status: 401, code: 'UNAUTHORIZED' },
  notFound: { status: 404, code: 'NOT_FOUND' },
  notAllowed: { status: 405, code: 'METHOD_NOT_ALLOWED' },
  invalidStatus: { status: 422, code: 'INVALID_DEPLOYMENT_STATUS' },
  limited: { status: 429, code: 'TOO_MANY_REQUESTS' },
} as const;

// Any base path prefix: `/public_api/v1/deployments/d1/start` and `/deployments/d1/start` alike.
const ROUTE = /^(?:\/.*)?\/deployments\/([^/]+)(?:\/(start|stop))?\/?$/;

/** EMQX Cloud's Dedicated-deployment API, as PROVIDERS.md describes it, on the simulator kit. */
export function createEmqxSimulator(options: EmqxSimulatorOptions = {}): SimulatorServer {
  const parsed = switchesSchema.safeParse(options.switches ?? {});
  if (!parsed.success) throw new Error(`[sim emqx] bad switches: ${z.prettifyError(parsed.error)}`);
  const switches = parsed.data;
  const key = options.credentials?.key ?? 'demo-key';
  const secret = options.credentials?.secret ?? 'demo-secret';

  function error(kind: keyof typeof ERRORS, message: string, extra: Partial<SimReply> = {}): SimReply {
    const { status, code } = ERRORS[kind];
    return { status, body: { code: switches.errorCode === 'number' ? status : code, message }, ...extra };
  }

  function limitKey(operation: Operation, deployment: string, user: string): string {
    if (switches.limitScope === 'deployment') return `${operation} deployment ${deployment}`;
    if (switches.limitScope === 'key') return `${operation} key ${user}`;
    return operation;
  }

  function answer(sim: SimulatorServer, operation: Operation, id: string): SimReply {
    const state = sim.stateOf(id);
    if (state === undefined) return error('notFound', `deployment ${id} not found`);
    const deploymentName = `deployment-${id}`;
    if (operation === 'status') {
      const body = {
        connections: 1000,
        createAt: '2024-07-22 05:32',
        deploymentID: id,
        deploymentName,
        deploymentType: 'dedicated',
        platform: 'AWS',
        region: 'N. Virginia (us-east-1)',
        status: state,
      };
      return { status: 200, body };
    }
    const [from, via, to] = operation === 'start' ? ['stopped', switches.startingLabel, 'running'] : ['running', 'stopping', 'stopped'];
    if (state !== from) return error('invalidStatus', `deployment ${id} is ${state}; ${operation} needs it ${from}`);
    sim.setState(id, via);
    sim.transitionLater(id, to);
    return { status: 201, body: { deploymentID: id, deploymentName, operation: operation === 'start' ? 'starting' : 'stopping' } };
  }

  return createSimulatorServer({
    type: 'emqx',
    options,
    basePath: '/public_api/v1',
    defaultTransitionMs: 30_000,
    ...(options.clock ? { clock: options.clock } : {}),
    handle(request, sim) {
      const who = basicCredentials(request.headers);
      if (who?.user !== key || who.password !== secret) return error('unauthorized', 'API Key authentication failed', { authorized: false });
      const route = ROUTE.exec(request.pathname);
      const id = route ? decodeSegment(route[1]!) : undefined;
      if (!route || id === undefined) return error('notFound', `no such endpoint ${request.method} ${request.pathname}`);
      const operation: Operation = route[2] === 'start' || route[2] === 'stop' ? route[2] : 'status';
      if (request.method !== (operation === 'status' ? 'GET' : 'POST')) return error('notAllowed', `${request.method} not allowed here`);

      const windowKey = limitKey(operation, id, who.user);
      const waitMs = sim.windows.waitMs(windowKey, EMQX_LIMITS[operation]);
      if (waitMs > 0) {
        const headers = switches.retryAfter ? { 'retry-after': String(Math.ceil(waitMs / 1000)) } : undefined;
        return error('limited', 'Request limit exceeded', { limited: true, ...(headers ? { headers } : {}) });
      }
      const reply = answer(sim, operation, id);
      if (reply.status < 400 || switches.countRejected) sim.windows.count(windowKey, EMQX_LIMITS[operation]);
      return reply;
    },
  });
}
