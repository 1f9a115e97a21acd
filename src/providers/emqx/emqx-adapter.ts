import type { Action, ActionOutcome, Limits, ObservedState, Observation, ProviderAdapter, ProviderCapabilities, ProviderDeps } from '../provider.ts';
import { ProviderError } from '../provider-error.ts';
import { basicAuth, encodeSegment, failureForStatus, parseJsonBody, providerRequest, safeDetail, type ProviderResponse } from '../provider-http.ts';
import { emqxActionSchema, emqxDeploymentSchema, emqxErrorSchema, type EmqxConfig } from './emqx-schemas.ts';
import { effectiveLimits } from '../provider-config.ts';

export const EMQX_DEFAULT_BASE_URL = 'https://cloud-intl.emqx.com/public_api/v1';

const HOUR_MS = 3_600_000;

/** PROVIDERS.md: status 60 per 60 minutes, start and stop once per 60 minutes each. */
export const EMQX_DEFAULT_LIMITS: Limits = {
  start: { max: 1, perMs: HOUR_MS },
  stop: { max: 1, perMs: HOUR_MS },
  status: { max: 60, perMs: HOUR_MS },
};

export const EMQX_CAPABILITIES: ProviderCapabilities = { reportsTransitions: true, batchStatus: false };

const OBSERVED: Record<string, ObservedState> = {
  running: 'running',
  starting: 'starting',
  pending: 'starting',
  stopping: 'stopping',
  stopped: 'stopped',
};

/** EMQX's deployment status as a normalised state; `failed` and anything unknown are `unknown`. */
export function emqxObservedState(raw: string): ObservedState {
  return OBSERVED[raw.toLowerCase()] ?? 'unknown';
}

const OPERATION: Record<Action, string> = { start: 'starting', stop: 'stopping' };

export function createEmqxAdapter(name: string, config: EmqxConfig, deps: ProviderDeps): ProviderAdapter {
  const baseUrl = config.baseUrl ?? EMQX_DEFAULT_BASE_URL;
  const { key, secret } = config.credentials;
  const headers = { authorization: basicAuth(key, secret), accept: 'application/json' };
  const logger = deps.logger.child({ provider: name, providerType: 'emqx' });

  async function call(method: 'GET' | 'POST', path: string): Promise<ProviderResponse> {
    const response = await providerRequest({ provider: name, dispatcher: deps.dispatcher, baseUrl, method, path, headers, timeoutMs: config.timeout });
    logger.debug({ method, path, status: response.status }, 'emqx answered');
    if (response.status >= 200 && response.status < 300) return response;
    throw errorFor(method, path, response);
  }

  function errorFor(method: string, path: string, response: ProviderResponse): ProviderError {
    // EMQX answers 422 to an action the deployment's state does not allow; the caller re-reads the
    // status to tell "already there" from "busy".
    const failure = response.status === 422 ? 'conflict' : failureForStatus(response.status);
    const parsed = emqxErrorSchema.safeParse(parseJsonOrUndefined(response.body));
    const code = parsed.success && parsed.data.code !== undefined ? String(parsed.data.code) : undefined;
    // A body that is not EMQX's error shape (a proxy's page, say) is shown as it is, cut short.
    const message = parsed.success && (code !== undefined || parsed.data.message) ? parsed.data.message : response.body;
    return new ProviderError({
      provider: name,
      failure,
      method,
      path,
      status: response.status,
      code: safeDetail(code, [key, secret], 60),
      detail: safeDetail(message, [key, secret]),
      retryAfterMs: response.retryAfterMs,
    });
  }

  async function act(action: Action, resource: string): Promise<ActionOutcome> {
    const path = `/deployments/${encodeSegment(resource)}/${action}`;
    const response = await call('POST', path);
    const body = parseJsonBody(name, 'POST', path, response.body, emqxActionSchema);
    if (body.operation !== OPERATION[action]) {
      throw new ProviderError({
        provider: name,
        failure: 'transient',
        method: 'POST',
        path,
        status: response.status,
        detail: `unexpected operation "${safeDetail(body.operation, [key, secret], 40)}" (expected "${OPERATION[action]}")`,
      });
    }
    return { kind: 'accepted', raw: body.operation };
  }

  return {
    name,
    type: 'emqx',
    limits: effectiveLimits(EMQX_DEFAULT_LIMITS, config.limits),
    limitScope: config.limitScope ?? 'resource',
    capabilities: EMQX_CAPABILITIES,
    async status(resource: string): Promise<Observation> {
      const path = `/deployments/${encodeSegment(resource)}`;
      const response = await call('GET', path);
      const deployment = parseJsonBody(name, 'GET', path, response.body, emqxDeploymentSchema);
      return { state: emqxObservedState(deployment.status), raw: deployment.status };
    },
    start: (resource) => act('start', resource),
    stop: (resource) => act('stop', resource),
    async close() {
      // The dispatcher belongs to the caller; nothing of our own to release.
    },
  };
}

// Each operation a config names replaces the default rule for that operation only.
function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
