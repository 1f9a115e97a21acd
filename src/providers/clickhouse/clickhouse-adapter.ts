import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { systemClock } from '../../util/clock.ts';
import type { Action, ActionOutcome, Limits, ObservedState, Observation, ProviderAdapter, ProviderCapabilities, ProviderDeps } from '../provider.ts';
import { effectiveLimits } from '../provider-config.ts';
import { isProviderError, ProviderError, type FailureClass } from '../provider-error.ts';
import { basicAuth, encodeSegment, failureForStatus, parseJsonBody, providerRequest, safeDetail, type ProviderResponse } from '../provider-http.ts';
import {
  clickhouseErrorSchema,
  clickhouseIdleScalingSchema,
  clickhouseServiceEnvelopeSchema,
  type ClickhouseConfig,
  type ClickhouseIdleScaling,
  type ClickhouseService,
  type ClickhouseStateCommand,
} from './clickhouse-schemas.ts';

export const CLICKHOUSE_DEFAULT_BASE_URL = 'https://api.clickhouse.cloud';

/** PROVIDERS.md: 10 requests per 10 seconds per API key, whatever they are. */
export const CLICKHOUSE_DEFAULT_LIMITS: Limits = { all: { max: 10, perMs: 10_000 } };

export const CLICKHOUSE_CAPABILITIES: ProviderCapabilities = { reportsTransitions: true, batchStatus: false };

/**
 * `idle` is a running service ClickHouse scaled to zero: for a schedule it runs (the next query wakes
 * it). `partially_running` and `degraded` are up and billed, so a stop is what a schedule wants of them.
 * `provisioning` and `awaking` end in running. Deletion states and `failed` are nothing a start or stop
 * can fix: `unknown`, so the daemon waits and then reports the target stuck with the raw state.
 */
const OBSERVED: Record<string, ObservedState> = {
  running: 'running',
  idle: 'running',
  partially_running: 'running',
  degraded: 'running',
  starting: 'starting',
  awaking: 'starting',
  provisioning: 'starting',
  stopping: 'stopping',
  stopped: 'stopped',
};

export function clickhouseObservedState(raw: string): ObservedState {
  return OBSERVED[raw.toLowerCase()] ?? 'unknown';
}

const REACHES: Record<Action, ObservedState> = { start: 'running', stop: 'stopped' };

/** The service's state named in an error text: `Current state: 'running'` (409s) or `Current state: idle` (424s). */
export function currentStateIn(text: string | undefined): string | undefined {
  return /current state:\s*'?([a-z_]+)'?/i.exec(text ?? '')?.[1]?.toLowerCase();
}

const resetSchema = z.coerce.number().nonnegative();

/**
 * How long a 429 asks us to wait: `X-RateLimit-Reset` (seconds; read as an epoch when it is one) and
 * `Retry-After`, the longer of the two; undefined when neither says.
 */
export function throttleWaitMs(headers: IncomingHttpHeaders, retryAfterMs: number | undefined, now: Date): number | undefined {
  const header = headers['x-ratelimit-reset'];
  const parsed = resetSchema.safeParse((Array.isArray(header) ? header[0] : header)?.trim() || undefined);
  let resetMs: number | undefined;
  if (parsed.success) {
    // Some APIs send the instant the window resets instead of a delay; no delay is 30 years long.
    resetMs = parsed.data >= 1e9 ? Math.max(0, parsed.data * 1000 - now.getTime()) : Math.ceil(parsed.data * 1000);
  }
  if (resetMs === undefined) return retryAfterMs;
  return retryAfterMs === undefined ? resetMs : Math.max(resetMs, retryAfterMs);
}

/** What `setIdleScaling` reports: the settings as ClickHouse now holds them, and the service's state. */
export interface ClickhouseIdleScalingResult {
  idleScaling: boolean | undefined;
  idleTimeoutMinutes: number | undefined;
  observation: Observation;
}

export interface ClickhouseAdapter extends ProviderAdapter {
  /**
   * Sets ClickHouse's own idle policy (the provider-native idle signal). One request against the key's
   * `all` budget: callers take a limiter token first, as for start and stop.
   */
  setIdleScaling(serviceId: string, settings: ClickhouseIdleScaling): Promise<ClickhouseIdleScalingResult>;
}

interface Refusal {
  code: string | undefined;
  message: string | undefined;
  currentState: string | undefined;
}

export function createClickhouseAdapter(name: string, config: ClickhouseConfig, deps: ProviderDeps): ClickhouseAdapter {
  const baseUrl = config.baseUrl ?? CLICKHOUSE_DEFAULT_BASE_URL;
  const { keyId, keySecret } = config.credentials;
  const secrets = [keyId, keySecret];
  const headers = { authorization: basicAuth(keyId, keySecret), accept: 'application/json' };
  const logger = deps.logger.child({ provider: name, providerType: 'clickhouse' });
  const servicePath = (id: string) => `/v1/organizations/${encodeSegment(config.organizationId)}/services/${encodeSegment(id)}`;

  async function send(method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<ProviderResponse> {
    const response = await providerRequest({
      provider: name,
      dispatcher: deps.dispatcher,
      baseUrl,
      method,
      path,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: config.timeout,
    });
    logger.debug({ method, path, status: response.status }, 'clickhouse answered');
    return response;
  }

  function service(method: string, path: string, response: ProviderResponse): ClickhouseService {
    return parseJsonBody(name, method, path, response.body, clickhouseServiceEnvelopeSchema).result;
  }

  function refusalOf(response: ProviderResponse): Refusal {
    const parsed = clickhouseErrorSchema.safeParse(parseJsonOrUndefined(response.body));
    // A body that is not ClickHouse's error shape (a proxy's page, say) is shown as it is, cut short.
    const text = parsed.success && parsed.data.error !== undefined ? parsed.data.error : response.body;
    const match = /^([A-Z][A-Z_]+):\s*([\s\S]*)$/.exec(text);
    const requestId = parsed.success ? parsed.data.requestId : undefined;
    const message = [match ? match[2] : text, requestId ? `(request ${requestId})` : ''].filter(Boolean).join(' ');
    return { code: match?.[1], message, currentState: currentStateIn(text) };
  }

  function errorFor(method: string, path: string, response: ProviderResponse, refusal = refusalOf(response), detail?: string): ProviderError {
    // 424 FAILED_DEPENDENCY: the service is not in a state that allows it yet (idle, say): try again later.
    const failure: FailureClass = response.status === 424 ? 'conflict' : failureForStatus(response.status);
    const throttledFor = () => throttleWaitMs(response.headers, response.retryAfterMs, dateOf(response.headers) ?? systemClock().now());
    return new ProviderError({
      provider: name,
      failure,
      method,
      path,
      status: response.status,
      code: safeDetail(refusal.code, secrets, 60),
      // our own note comes after the provider's words, which alone are cut short
      detail: [safeDetail(refusal.message, secrets), detail].filter(Boolean).join('; '),
      retryAfterMs: response.status === 429 ? throttledFor() : response.retryAfterMs,
    });
  }

  async function call(method: 'GET' | 'PATCH', path: string, body?: unknown): Promise<ClickhouseService> {
    const response = await send(method, path, body);
    if (response.status < 200 || response.status >= 300) throw errorFor(method, path, response);
    return service(method, path, response);
  }

  async function act(action: Action, resource: string): Promise<ActionOutcome> {
    const path = `${servicePath(resource)}/state`;
    const response = await send('PATCH', path, { command: action satisfies ClickhouseStateCommand });
    if (response.status >= 200 && response.status < 300) return { kind: 'accepted', raw: service('PATCH', path, response).state };
    const refusal = refusalOf(response);
    const refusedForState = response.status === 409 || response.status === 424;
    const current = refusal.currentState;
    if (refusedForState && current !== undefined && clickhouseObservedState(current) === REACHES[action]) return { kind: 'already', raw: current };
    const idle = current === 'idle' || (current === undefined && /\bidle\b/i.test(refusal.message ?? ''));
    if (action === 'stop' && refusedForState && idle) return wakeToStop(path, response, refusal);
    throw errorFor('PATCH', path, response, refusal);
  }

  /**
   * A stop refused because the service is idle: schedules want it stopped (an idle service wakes on
   * the next query), so wake it and report a conflict; the daemon re-reads the status and stops the
   * service once it runs. The awake is one request more than the limiter granted for the stop, so it
   * takes its own unit of the key's budget first; without one it is left for the next attempt.
   */
  async function wakeToStop(path: string, refused: ProviderResponse, refusal: Refusal): Promise<never> {
    const id = decodeURIComponent(path.split('/').at(-2) ?? '');
    if (deps.extraRequest && !(await deps.extraRequest(id))) {
      throw errorFor('PATCH', path, refused, refusal, 'service is idle; waking it must wait for room in the request budget');
    }
    logger.info({ path }, 'stop refused while idle: waking the service so it can be stopped');
    try {
      await call('PATCH', path, { command: 'awake' satisfies ClickhouseStateCommand });
    } catch (error) {
      // Throttled, refused credentials or garbage say more than the stop's refusal; a conflict says the service moved meanwhile.
      if (!isProviderError(error) || error.failure !== 'conflict') throw error;
      throw errorFor('PATCH', path, refused, refusal, `service is idle; awake refused too (${error.status ?? error.failure})`);
    }
    throw errorFor('PATCH', path, refused, refusal, 'service is idle: sent awake, it can be stopped once it runs');
  }

  return {
    name,
    type: 'clickhouse',
    limits: effectiveLimits(CLICKHOUSE_DEFAULT_LIMITS, config.limits),
    limitScope: config.limitScope ?? 'provider',
    capabilities: CLICKHOUSE_CAPABILITIES,
    async status(resource) {
      const { state } = await call('GET', servicePath(resource));
      return { state: clickhouseObservedState(state), raw: state };
    },
    start: (resource) => act('start', resource),
    stop: (resource) => act('stop', resource),
    async setIdleScaling(serviceId, settings) {
      const path = `${servicePath(serviceId)}/scaling`;
      const parsed = clickhouseIdleScalingSchema.safeParse(settings);
      if (!parsed.success) {
        throw new ProviderError({ provider: name, failure: 'invalid', method: 'PATCH', path, detail: `request not sent: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ')}` });
      }
      const { idleScaling, idleTimeoutMinutes } = parsed.data;
      // A timeout without idle scaling is refused by ClickHouse's own Terraform provider: send it only with scaling on.
      const result = await call('PATCH', path, idleScaling ? { idleScaling, idleTimeoutMinutes } : { idleScaling });
      return {
        idleScaling: result.idleScaling,
        idleTimeoutMinutes: result.idleTimeoutMinutes,
        observation: { state: clickhouseObservedState(result.state), raw: result.state },
      };
    },
    async close() {
      // The dispatcher belongs to the caller; nothing of our own to release.
    },
  };
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The server's own Date makes an epoch X-RateLimit-Reset independent of our clock's skew.
function dateOf(headers: IncomingHttpHeaders): Date | undefined {
  const at = typeof headers.date === 'string' ? Date.parse(headers.date) : Number.NaN;
  return Number.isNaN(at) ? undefined : new Date(at);
}
