import type { Action, ActionOutcome, Limits, ObservedState, Observation, ProviderAdapter, ProviderCapabilities, ProviderDeps } from '../provider.ts';
import { effectiveLimits } from '../provider-config.ts';
import { isProviderError, ProviderError, type FailureClass } from '../provider-error.ts';
import { failureForStatus, parseJsonBody, providerRequest, safeDetail, type ProviderResponse } from '../provider-http.ts';
import { ULTIPA_FIELDS, ultipaApiRoot, ultipaEnvelopeSchema, ultipaStatesSchema, type UltipaConfig, type UltipaEnvelope } from './ultipa-schemas.ts';

export const ULTIPA_DEFAULT_BASE_URL = 'https://cloud.ultipa.com/open/dbaas/v1';

/** PROVIDERS.md: 80 requests per minute per API key, whatever they ask. */
export const ULTIPA_DEFAULT_LIMITS: Limits = { all: { max: 80, perMs: 60_000 } };

/**
 * STOPPING shows, STARTING may not (unconfirmed): right after a start a STOPPED reading is normal.
 * One `POST /state` answers for many resources.
 */
export const ULTIPA_CAPABILITIES: ProviderCapabilities = { reportsTransitions: false, batchStatus: true };

const OBSERVED: Record<string, ObservedState> = {
  RUNNING: 'running',
  // the cluster console's word for running; the API's is unconfirmed
  ACTIVE: 'running',
  STOPPED: 'stopped',
  STARTING: 'starting',
  RESTARTING: 'starting',
  INITIALIZING: 'starting',
  STOPPING: 'stopping',
};

/** Ultipa's instance/cluster state as a normalised state; TERMINATED, ERROR, UPDATING and the unknown are `unknown`. */
export function ultipaObservedState(raw: string): ObservedState {
  return OBSERVED[raw.toUpperCase()] ?? 'unknown';
}

/** Ultipa's response codes (in the body, whatever the HTTP status). 405 is refined by a state read. */
const CODE_FAILURE: Record<number, FailureClass> = {
  403: 'auth',
  405: 'conflict',
  // account banned / canceled: no retry helps, a person must act
  408: 'auth',
  409: 'auth',
  1217: 'not-found',
  1301: 'auth',
  1302: 'auth',
  1303: 'throttled',
};

export function ultipaFailureForCode(code: number): FailureClass {
  return CODE_FAILURE[code] ?? (code >= 100 && code < 600 ? failureForStatus(code) : 'invalid');
}

const NOT_ALLOWED = '405';
const UNKNOWN_ID = '1217';
const SETTLED: Record<Action, ObservedState> = { start: 'running', stop: 'stopped' };

interface Waiter {
  id: string;
  resolve(observation: Observation): void;
  reject(error: Error): void;
}

export function createUltipaAdapter(name: string, config: UltipaConfig, deps: ProviderDeps): ProviderAdapter {
  const kind = config.resourceKind;
  const fields = ULTIPA_FIELDS[kind];
  const baseUrl = ultipaApiRoot(config.baseUrl ?? ULTIPA_DEFAULT_BASE_URL);
  const { apiKey } = config.credentials;
  const headers = { api_key: apiKey, 'content-type': 'application/json', accept: 'application/json' };
  const statesSchema = ultipaStatesSchema(kind);
  const statePath = `/${kind}/state`;
  const logger = deps.logger.child({ provider: name, providerType: 'ultipa' });

  /** POSTs `body` and returns `data` of a code-200 answer; anything else throws. */
  async function call(path: string, body: unknown): Promise<unknown> {
    const response = await providerRequest({
      provider: name,
      dispatcher: deps.dispatcher,
      baseUrl,
      method: 'POST',
      path,
      headers,
      body: JSON.stringify(body),
      timeoutMs: config.timeout,
    });
    const ok = response.status >= 200 && response.status < 300;
    const envelope = ultipaEnvelopeSchema.safeParse(parseJsonOrUndefined(response.body));
    logger.debug({ path, status: response.status, code: envelope.data?.code }, 'ultipa answered');
    // Whether Ultipa sends its error codes with HTTP 200 or with a matching status is unconfirmed:
    // the code in the body decides when there is one, the HTTP status when there is not.
    if (envelope.success && envelope.data.code !== 200) throw codeError(path, response, envelope.data);
    if (!ok) throw httpError(path, response);
    return parseJsonBody(name, 'POST', path, response.body, ultipaEnvelopeSchema).data;
  }

  function codeError(path: string, response: ProviderResponse, envelope: UltipaEnvelope): ProviderError {
    return new ProviderError({
      provider: name,
      failure: ultipaFailureForCode(envelope.code),
      method: 'POST',
      path,
      // HTTP 200 carrying an error says nothing; the code is the news
      status: response.status >= 200 && response.status < 300 ? undefined : response.status,
      code: String(envelope.code),
      detail: safeDetail(envelope.message ?? undefined, [apiKey]),
      retryAfterMs: response.retryAfterMs,
    });
  }

  function httpError(path: string, response: ProviderResponse): ProviderError {
    return new ProviderError({
      provider: name,
      failure: failureForStatus(response.status),
      method: 'POST',
      path,
      status: response.status,
      detail: safeDetail(response.body, [apiKey]),
      retryAfterMs: response.retryAfterMs,
    });
  }

  // ---- status: concurrent reads within the batch window share one POST /state per maxIds ids ----

  let waiting: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  /**
   * Ids Ultipa called unknown when asked alone. Whether it answers a batch holding one with 1217 for
   * the whole batch is unconfirmed; such ids are asked alone so they cannot spoil other reads.
   */
  const unknownIds = new Set<string>();

  function flush(): void {
    timer = undefined;
    const batch = waiting;
    waiting = [];
    const ids = [...new Set(batch.map((waiter) => waiter.id))];
    const alone = ids.filter((id) => unknownIds.has(id));
    const together = ids.filter((id) => !unknownIds.has(id));
    const chunks = alone.map((id) => [id]);
    for (let from = 0; from < together.length; from += config.statusBatch.maxIds) chunks.push(together.slice(from, from + config.statusBatch.maxIds));
    for (const chunk of chunks) void read(chunk, batch.filter((waiter) => chunk.includes(waiter.id)));
  }

  async function read(ids: string[], waiters: Waiter[]): Promise<void> {
    let states: Map<string, string>;
    try {
      const data = await call(statePath, { [fields.ids]: ids });
      const parsed = statesSchema.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = ['data', ...(issue?.path ?? [])].join('.');
        throw new ProviderError({ provider: name, failure: 'transient', method: 'POST', path: statePath, detail: `unexpected response body: ${issue?.message ?? 'invalid'} at ${where}` });
      }
      states = new Map(parsed.data.map((entry) => [entry.id, entry.state]));
    } catch (error) {
      if (isProviderError(error) && error.code === UNKNOWN_ID) {
        if (ids.length === 1) unknownIds.add(ids[0]!);
        else {
          // The failed batch used one request of what the limiter granted; every read alone after it
          // takes its own unit, and an id without one fails this round (transient) and is read alone next time.
          logger.debug({ ids: ids.length }, 'ultipa refused a batch for an unknown id; reading each alone');
          for (const id of ids) {
            const mine = waiters.filter((waiter) => waiter.id === id);
            if (deps.extraRequest && !(await deps.extraRequest(id))) {
              unknownIds.add(id);
              const busy = new ProviderError({ provider: name, failure: 'transient', method: 'POST', path: statePath, detail: `batch refused for an unknown id; ${kind} ${id} will be read alone` });
              for (const waiter of mine) waiter.reject(busy);
            } else void read([id], mine);
          }
          return;
        }
      }
      for (const waiter of waiters) waiter.reject(error as Error);
      return;
    }
    for (const waiter of waiters) {
      const raw = states.get(waiter.id);
      if (raw === undefined) {
        waiter.reject(
          new ProviderError({ provider: name, failure: 'not-found', method: 'POST', path: statePath, detail: `${kind} ${waiter.id} is not in the answer` }),
        );
      } else {
        unknownIds.delete(waiter.id);
        waiter.resolve({ state: ultipaObservedState(raw), raw });
      }
    }
  }

  function status(id: string): Promise<Observation> {
    if (closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      waiting.push({ id, resolve, reject });
      timer ??= setTimeout(flush, config.statusBatch.window);
    });
  }

  function closedError(): ProviderError {
    return new ProviderError({ provider: name, failure: 'transient', method: 'POST', path: statePath, detail: 'adapter closed before the status read was sent' });
  }

  // ---- start / stop ----

  async function act(action: Action, id: string): Promise<ActionOutcome> {
    const path = `/${kind}/${action}`;
    try {
      await call(path, { [fields.id]: id });
      return { kind: 'accepted' };
    } catch (error) {
      if (isProviderError(error) && error.code === NOT_ALLOWED) return notAllowed(action, id, error);
      throw error;
    }
  }

  /** 405 means "not in this state": one status read tells "already there" from "busy". */
  async function notAllowed(action: Action, id: string, refusal: ProviderError): Promise<ActionOutcome> {
    // the read is one request more than the limiter granted for the action: it takes its own unit
    if (deps.extraRequest && !(await deps.extraRequest(id))) throw refusal;
    let observed: Observation;
    try {
      observed = await status(id);
    } catch {
      // The refusal stands as a conflict; the daemon re-reads the status inside its budget.
      throw refusal;
    }
    if (observed.state === SETTLED[action]) return { kind: 'already', raw: observed.raw };
    const terminated = observed.raw.toUpperCase() === 'TERMINATED';
    throw new ProviderError({
      provider: name,
      failure: terminated ? 'invalid' : 'conflict',
      method: refusal.method,
      path: refusal.path,
      status: refusal.status,
      code: refusal.code,
      detail: `${kind} ${id} is ${safeDetail(observed.raw, [apiKey], 40)}${terminated ? `: a terminated ${kind} cannot ${action}` : ''}`,
    });
  }

  return {
    name,
    type: 'ultipa',
    limits: effectiveLimits(ULTIPA_DEFAULT_LIMITS, config.limits),
    limitScope: config.limitScope ?? 'provider',
    capabilities: ULTIPA_CAPABILITIES,
    status,
    start: (id) => act('start', id),
    stop: (id) => act('stop', id),
    async close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      const error = closedError();
      for (const waiter of waiting.splice(0)) waiter.reject(error);
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
