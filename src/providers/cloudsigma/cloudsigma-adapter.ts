import type { z } from 'zod';
import type { Action, ActionOutcome, Limits, ObservedState, Observation, ProviderAdapter, ProviderCapabilities, ProviderDeps } from '../provider.ts';
import { effectiveLimits } from '../provider-config.ts';
import { ProviderError, type FailureClass } from '../provider-error.ts';
import { basicAuth, encodeSegment, failureForStatus, parseJsonBody, providerRequest, safeDetail, type ProviderResponse } from '../provider-http.ts';
import {
  cloudsigmaActionSchema,
  cloudsigmaErrorSchema,
  cloudsigmaServerSchema,
  legacyActionSchema,
  legacyServerSchema,
  parseKeyValueBody,
  type CloudsigmaConfig,
  type CloudsigmaErrorBody,
  type CloudsigmaVerb,
} from './cloudsigma-schemas.ts';

/** There is no single endpoint: each location has its own; shown in --help and the README. */
export const CLOUDSIGMA_BASE_URL_TEMPLATE = 'https://{location}.cloudsigma.com/api/2.0/';

const MINUTE_MS = 60_000;

/**
 * PROVIDERS.md: 10,000 requests per minute per verb (GET, POST). Status reads are the GETs; `all`
 * caps GET and POST together at one verb's budget, which keeps the POSTs inside theirs too.
 */
export const CLOUDSIGMA_DEFAULT_LIMITS: Limits = {
  status: { max: 10_000, perMs: MINUTE_MS },
  all: { max: 10_000, perMs: MINUTE_MS },
};

export const CLOUDSIGMA_CAPABILITIES: ProviderCapabilities = { reportsTransitions: true, batchStatus: false };
/** API 1.0 has no starting/stopping: a server reads as it was until the change is done. */
export const CLOUDSIGMA_LEGACY_CAPABILITIES: ProviderCapabilities = { reportsTransitions: false, batchStatus: false };

// 2.0 strings and 1.0 strings (`active`, `dumped`, `dead`) never collide, so one table serves both.
const OBSERVED: Record<string, ObservedState> = {
  running: 'running',
  active: 'running',
  starting: 'starting',
  stopping: 'stopping',
  stopped: 'stopped',
};

/** A server's status (either API version) as a normalised state; paused, unavailable, dumped, dead and anything new are `unknown`. */
export function cloudsigmaObservedState(raw: string): ObservedState {
  return OBSERVED[raw.toLowerCase()] ?? 'unknown';
}

/** The endpoint of a provider entry: its baseUrl, or the one its location and API version imply. */
export function cloudsigmaBaseUrl(config: Pick<CloudsigmaConfig, 'baseUrl' | 'location' | 'apiVersion'>): string {
  if (config.baseUrl !== undefined) return config.baseUrl;
  if (config.location === undefined) throw new Error('[cloudsigma] a provider entry needs location or baseUrl');
  return config.apiVersion === '1.0' ? `https://api.${config.location}.cloudsigma.com` : `https://${config.location}.cloudsigma.com/api/2.0/`;
}

const ERROR_TYPE_FAILURE: Record<string, FailureClass> = {
  validation: 'invalid',
  notexist: 'not-found',
  permission: 'auth',
  concurrency: 'conflict',
  // the account has to be put right by a person; retrying cannot help
  billing: 'auth',
  payment: 'auth',
  backend: 'transient',
  database: 'transient',
};

const GUEST_STATE = /Cannot (\w+) guest in state "([^"]*)"/i;
/** The guest states (as 2.0's refusals name them) in which each verb has nothing to do. */
const ALREADY: Record<CloudsigmaVerb, readonly string[]> = { start: ['started', 'running'], stop: ['stopped'], shutdown: ['stopped'] };

/**
 * A 2.0 refusal that names the guest's state (`Cannot start guest in state "started"`): `already`
 * when that state is where the verb leads, `conflict` when it is any other; undefined for other errors.
 */
export function guestStateRefusal(verb: CloudsigmaVerb, errors: CloudsigmaErrorBody): { failure: 'already' | 'conflict'; state: string } | undefined {
  for (const error of errors) {
    const match = GUEST_STATE.exec(error.error_message ?? '');
    if (!match || match[1]!.toLowerCase() !== verb) continue;
    const state = match[2]!;
    return { failure: ALREADY[verb].includes(state.toLowerCase()) ? 'already' : 'conflict', state };
  }
  return undefined;
}

type Method = 'GET' | 'POST';

/** What differs between the two API versions: paths, envelopes and how refusals read. */
interface Dialect {
  capabilities: ProviderCapabilities;
  /** media type of answers (Accept) and of the POST body (Content-Type) */
  mediaType: string;
  statusPath(resource: string): string;
  actionPath(verb: CloudsigmaVerb, resource: string): string;
  actionBody: string;
  readStatus(path: string, response: ProviderResponse): string;
  readAction(verb: CloudsigmaVerb, path: string, response: ProviderResponse): ActionOutcome;
  /** the state a refusal of `verb` names when it says the server is there already */
  alreadyIn(verb: CloudsigmaVerb, response: ProviderResponse): string | undefined;
  /** an answer outside 2xx (other than `alreadyIn`) as the error to throw */
  error(method: Method, path: string, response: ProviderResponse, verb?: CloudsigmaVerb): ProviderError;
}

export function createCloudsigmaAdapter(name: string, config: CloudsigmaConfig, deps: ProviderDeps): ProviderAdapter {
  const baseUrl = cloudsigmaBaseUrl(config);
  const { username, password } = config.credentials;
  const secrets = [username, password];
  const authorization = basicAuth(username, password);
  const logger = deps.logger.child({ provider: name, providerType: 'cloudsigma', apiVersion: config.apiVersion });

  function fail(failure: FailureClass, method: Method, path: string, response: ProviderResponse, detail?: string, code?: string): ProviderError {
    return new ProviderError({
      provider: name,
      failure,
      method,
      path,
      status: response.status,
      code: safeDetail(code, secrets, 60),
      detail: safeDetail(detail, secrets),
      retryAfterMs: response.retryAfterMs,
    });
  }

  const current: Dialect = {
    capabilities: CLOUDSIGMA_CAPABILITIES,
    mediaType: 'application/json',
    // 2.0 paths end in a slash: without it the API redirects, and a redirected POST loses its meaning.
    statusPath: (resource) => `/servers/${encodeSegment(resource)}/`,
    actionPath: (verb, resource) => `/servers/${encodeSegment(resource)}/action/?do=${verb}`,
    actionBody: '{}',
    readStatus: (path, response) => parseJsonBody(name, 'GET', path, response.body, cloudsigmaServerSchema).status,
    readAction(verb, path, response) {
      const body = parseJsonBody(name, 'POST', path, response.body, cloudsigmaActionSchema);
      if (body.action !== verb) throw fail('transient', 'POST', path, response, `unexpected action "${body.action}" (expected "${verb}")`);
      return { kind: 'accepted', raw: body.action };
    },
    alreadyIn(verb, response) {
      const errors = cloudsigmaErrors(response);
      const refusal = errors && guestStateRefusal(verb, errors);
      return refusal?.failure === 'already' ? refusal.state : undefined;
    },
    error(method, path, response, verb) {
      const errors = cloudsigmaErrors(response);
      // Not CloudSigma's error list (a proxy's page, say): shown as it is, cut short.
      if (!errors) return fail(failureForStatus(response.status), method, path, response, response.body);
      const [first] = errors;
      const refusal = verb === undefined ? undefined : guestStateRefusal(verb, errors);
      const failure = refusal?.failure ?? failureFor(response.status, first!.error_type);
      return fail(failure, method, path, response, first!.error_message ?? undefined, first!.error_type);
    },
  };

  const legacy: Dialect = {
    capabilities: CLOUDSIGMA_LEGACY_CAPABILITIES,
    mediaType: 'text/plain',
    statusPath: (resource) => `/servers/${encodeSegment(resource)}/info`,
    actionPath: (verb, resource) => `/servers/${encodeSegment(resource)}/${verb}`,
    actionBody: '',
    readStatus: (path, response) => parseKeyValue('GET', path, response, legacyServerSchema).status,
    readAction(_verb, path, response) {
      // The manual has start answer 200 with the server's pairs and, in its example, an empty 204; a 200
      // may carry no data ("possibly 0 length"). Only a body that is there must be key/value text.
      if (response.body.trim() === '') return { kind: 'accepted' };
      const body = parseKeyValue('POST', path, response, legacyActionSchema);
      return body.status === undefined ? { kind: 'accepted' } : { kind: 'accepted', raw: body.status };
    },
    // 1.0 documents no "already" answer; the caller's status read tells it from busy.
    alreadyIn: () => undefined,
    error(method, path, response) {
      const { status } = response;
      // start/stop/shutdown send no input, so a 400 can only be about the server's state: like 409
      // (busy) it is a conflict, which the caller settles by reading the status.
      const failure = method === 'POST' && (status === 400 || status === 409) ? 'conflict' : failureForStatus(status);
      return fail(failure, method, path, response, response.body);
    },
  };

  const dialect = config.apiVersion === '1.0' ? legacy : current;

  function parseKeyValue<T extends z.ZodType>(method: Method, path: string, response: ProviderResponse, schema: T): z.output<T> {
    const pairs = parseKeyValueBody(response.body);
    const parsed = pairs === undefined ? undefined : schema.safeParse(pairs);
    if (parsed?.success) return parsed.data;
    const why = parsed ? `unexpected response body: ${parsed.error.issues[0]?.message ?? 'invalid'}` : `malformed response body (not key/value text, ${response.body.length} bytes)`;
    throw fail('transient', method, path, response, why);
  }

  async function call(method: Method, path: string, body?: string): Promise<ProviderResponse> {
    const response = await providerRequest({
      provider: name,
      dispatcher: deps.dispatcher,
      baseUrl,
      method,
      path,
      headers: body === undefined ? { authorization, accept: dialect.mediaType } : { authorization, accept: dialect.mediaType, 'content-type': dialect.mediaType },
      timeoutMs: config.timeout,
      ...(body === undefined ? {} : { body }),
    });
    logger.debug({ method, path, status: response.status }, 'cloudsigma answered');
    return response;
  }

  async function act(action: Action, resource: string): Promise<ActionOutcome> {
    const verb: CloudsigmaVerb = action === 'start' ? 'start' : config.stopType;
    const path = dialect.actionPath(verb, resource);
    const response = await call('POST', path, dialect.actionBody);
    if (isSuccess(response)) return dialect.readAction(verb, path, response);
    const state = dialect.alreadyIn(verb, response);
    if (state !== undefined) return { kind: 'already', raw: state };
    throw dialect.error('POST', path, response, verb);
  }

  return {
    name,
    type: 'cloudsigma',
    limits: effectiveLimits(CLOUDSIGMA_DEFAULT_LIMITS, config.limits),
    limitScope: config.limitScope ?? 'provider',
    capabilities: dialect.capabilities,
    async status(resource: string): Promise<Observation> {
      const path = dialect.statusPath(resource);
      const response = await call('GET', path);
      if (!isSuccess(response)) throw dialect.error('GET', path, response);
      const raw = dialect.readStatus(path, response);
      return { state: cloudsigmaObservedState(raw), raw };
    },
    start: (resource) => act('start', resource),
    stop: (resource) => act('stop', resource),
    async close() {
      // The dispatcher belongs to the caller; nothing of our own to release.
    },
  };
}

/**
 * 401 and 429 mean what HTTP says and 5xx is the server failing, whatever the body claims; otherwise
 * the provider's own error type is the finer word (a 400 `concurrency` is busy, not our mistake).
 */
function failureFor(status: number, errorType: string): FailureClass {
  if (status === 401 || status === 429 || status >= 500) return failureForStatus(status);
  return ERROR_TYPE_FAILURE[errorType] ?? failureForStatus(status);
}

function isSuccess(response: ProviderResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function cloudsigmaErrors(response: ProviderResponse): CloudsigmaErrorBody | undefined {
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return undefined;
  }
  const parsed = cloudsigmaErrorSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
