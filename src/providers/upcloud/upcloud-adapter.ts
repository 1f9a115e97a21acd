import type { Action, ActionOutcome, Limits, ObservedState, Observation, ProviderAdapter, ProviderCapabilities, ProviderDeps } from '../provider.ts';
import { effectiveLimits } from '../provider-config.ts';
import { ProviderError, type FailureClass } from '../provider-error.ts';
import { basicAuth, encodeSegment, failureForStatus, parseJsonBody, providerRequest, safeDetail, type ProviderResponse } from '../provider-http.ts';
import { upcloudErrorSchema, upcloudProblemSchema, upcloudServerBodySchema, type UpcloudConfig } from './upcloud-schemas.ts';

export const UPCLOUD_DEFAULT_BASE_URL = 'https://api.upcloud.com/1.3';

/** UpCloud documents no limits; a 429 is still taken as throttled, and a config entry may declare some. */
export const UPCLOUD_DEFAULT_LIMITS: Limits = {};

/** No starting/stopping state: right after a stop the server still reads `started`. */
export const UPCLOUD_CAPABILITIES: ProviderCapabilities = { reportsTransitions: false, batchStatus: false };

const OBSERVED: Record<string, ObservedState> = { started: 'running', stopped: 'stopped' };

/** UpCloud's server state as a normalised state; `maintenance` and `error` pass by themselves and are `unknown`. */
export function upcloudObservedState(raw: string): ObservedState {
  return OBSERVED[raw.toLowerCase()] ?? 'unknown';
}

/** The state each action leads to, in UpCloud's words. */
const TARGET: Record<Action, string> = { start: 'started', stop: 'stopped' };

/** The failure class of each documented error code, whatever the status says. */
const FAILURE_BY_CODE: Record<string, FailureClass> = {
  AUTHENTICATION_FAILED: 'auth',
  SERVER_FORBIDDEN: 'auth',
  SERVER_NOT_FOUND: 'not-found',
  // out of credits: retrying cannot help, a human has to top the account up
  INSUFFICIENT_CREDITS: 'invalid',
  // the zone has no room for the server right now
  SERVER_RESOURCES_UNAVAILABLE: 'conflict',
  SERVER_STATE_ILLEGAL: 'conflict',
};

/**
 * The server state a SERVER_STATE_ILLEGAL message names ("... is in state 'started'", "already stopped"),
 * or undefined when the message does not say.
 */
export function upcloudStateInMessage(message: string | undefined): string | undefined {
  const match = /\bin state\s+['"]?([a-z_]+)['"]?/i.exec(message ?? '') ?? /\balready\s+(started|stopped)\b/i.exec(message ?? '');
  return match?.[1]?.toLowerCase();
}

interface UpcloudErrorInfo {
  code?: string | undefined;
  message?: string | undefined;
}

/** Code and message of an error answer, read by its Content-Type; undefined when it is not that shape. */
export function upcloudErrorInfo(contentType: string | undefined, body: string): UpcloudErrorInfo | undefined {
  const json = parseJsonOrUndefined(body);
  if (/^application\/problem\+json\b/i.test(contentType ?? '')) {
    const problem = upcloudProblemSchema.safeParse(json);
    return problem.success ? { code: problemCode(problem.data.type), message: problem.data.title } : undefined;
  }
  const error = upcloudErrorSchema.safeParse(json);
  return error.success ? { code: error.data.error.error_code, message: error.data.error.error_message } : undefined;
}

// A problem `type` is a URL whose fragment names the error (`...errors#ERROR_SERVER_NOT_FOUND`), or the code itself.
function problemCode(type: string): string {
  try {
    const url = new URL(type);
    if (url.hash.length > 1) return decodeURIComponent(url.hash.slice(1)).replace(/^ERROR_/, '');
  } catch {
    // not a URL: the type is the code
  }
  return type;
}

export function createUpcloudAdapter(name: string, config: UpcloudConfig, deps: ProviderDeps): ProviderAdapter {
  const baseUrl = config.baseUrl ?? UPCLOUD_DEFAULT_BASE_URL;
  const { credentials } = config;
  const authorization = 'token' in credentials ? `Bearer ${credentials.token}` : basicAuth(credentials.username, credentials.password);
  const secrets = 'token' in credentials ? [credentials.token] : [credentials.username, credentials.password];
  const logger = deps.logger.child({ provider: name, providerType: 'upcloud' });
  const stopBody = JSON.stringify({
    stop_server:
      config.stopType === 'soft'
        ? // a string: sent as a number, UpCloud accepts the call and ignores the timeout
          { stop_type: 'soft', timeout: String(config.softStopTimeout / 1_000) }
        : { stop_type: 'hard' },
  });

  async function call(method: 'GET' | 'POST', path: string, body?: string): Promise<ProviderResponse> {
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await providerRequest({
      provider: name,
      dispatcher: deps.dispatcher,
      baseUrl,
      method,
      path,
      headers,
      timeoutMs: config.timeout,
      ...(body === undefined ? {} : { body }),
    });
    logger.debug({ method, path, status: response.status }, 'upcloud answered');
    return response;
  }

  function errorFor(method: string, path: string, response: ProviderResponse, info = errorInfoOf(response)): ProviderError {
    const { status } = response;
    // A 429 is a limit and a 5xx a passing fault whatever code they carry; for the rest, the code is more precise.
    const byCode = status === 429 || status >= 500 || !info?.code ? undefined : FAILURE_BY_CODE[info.code];
    return new ProviderError({
      provider: name,
      failure: byCode ?? failureForStatus(status),
      method,
      path,
      status,
      code: safeDetail(info?.code, secrets, 60),
      // A body that is neither of UpCloud's shapes (a proxy's page, say) is shown as it is, cut short.
      detail: safeDetail(info ? info.message : response.body, secrets),
      retryAfterMs: response.retryAfterMs,
    });
  }

  async function act(action: Action, resource: string): Promise<ActionOutcome> {
    const path = `/server/${encodeSegment(resource)}/${action}`;
    const response = await call('POST', path, action === 'start' ? START_BODY : stopBody);
    if (!succeeded(response)) {
      const info = errorInfoOf(response);
      // 409 SERVER_STATE_ILLEGAL means "already there" and "in maintenance" alike; only a message naming
      // the state settles it. Otherwise it is a conflict, and the caller's next status read tells.
      if (info?.code === 'SERVER_STATE_ILLEGAL' && upcloudStateInMessage(info.message) === TARGET[action]) return { kind: 'already', raw: TARGET[action] };
      throw errorFor('POST', path, response, info);
    }
    // The body may still show the old state (a stop answers `started`): a later status read shows the change.
    const { server } = parseJsonBody(name, 'POST', path, response.body, upcloudServerBodySchema);
    return { kind: 'accepted', raw: server.state };
  }

  return {
    name,
    type: 'upcloud',
    limits: effectiveLimits(UPCLOUD_DEFAULT_LIMITS, config.limits),
    limitScope: config.limitScope ?? 'provider',
    capabilities: UPCLOUD_CAPABILITIES,
    async status(resource: string): Promise<Observation> {
      const path = `/server/${encodeSegment(resource)}`;
      const response = await call('GET', path);
      if (!succeeded(response)) throw errorFor('GET', path, response);
      const { server } = parseJsonBody(name, 'GET', path, response.body, upcloudServerBodySchema);
      return { state: upcloudObservedState(server.state), raw: server.state };
    },
    start: (resource) => act('start', resource),
    stop: (resource) => act('stop', resource),
    async close() {
      // The dispatcher belongs to the caller; nothing of our own to release.
    },
  };
}

const START_BODY = JSON.stringify({ server: {} });

function succeeded(response: ProviderResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function errorInfoOf(response: ProviderResponse): UpcloudErrorInfo | undefined {
  const contentType = response.headers['content-type'];
  return upcloudErrorInfo(Array.isArray(contentType) ? contentType[0] : contentType, response.body);
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
