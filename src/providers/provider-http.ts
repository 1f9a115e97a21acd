import { request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { systemClock, type Clock } from '../util/clock.ts';
import { ProviderError, type FailureClass } from './provider-error.ts';

export interface ProviderRequest {
  /** provider name, the `[name]` every error starts with */
  provider: string;
  dispatcher: Dispatcher;
  baseUrl: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** path below baseUrl, resource ids already encoded (see `encodeSegment`); errors name it as is */
  path: string;
  /** may carry credentials: they are sent, never logged or put in an error */
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** reference time for a Retry-After given as an HTTP date when the answer has no Date header */
  clock?: Clock;
}

export interface ProviderResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** from Retry-After (seconds or HTTP date), when the provider sent one */
  retryAfterMs: number | undefined;
}

/**
 * The one way adapters talk HTTP: undici on the dispatcher they were given (never the global one).
 * Any status comes back as a response; only a request that got no complete answer (timeout,
 * refused or reset connection) throws, as a `transient` ProviderError.
 */
export async function providerRequest(options: ProviderRequest): Promise<ProviderResponse> {
  const { provider, method, path, timeoutMs } = options;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(joinUrl(options.baseUrl, path), {
      dispatcher: options.dispatcher,
      method,
      headers: options.headers,
      body: options.body,
      signal,
    });
    const body = await response.body.text();
    const now = dateHeader(response.headers) ?? (options.clock ?? systemClock()).now();
    return { status: response.statusCode, headers: response.headers, body, retryAfterMs: retryAfterMs(response.headers, now) };
  } catch (error) {
    throw transportError(provider, method, path, error, signal.aborted ? timeoutMs : undefined);
  }
}

/**
 * Parses a response body with its zod schema. A body that is not JSON or not the expected shape is a
 * garbage answer: it becomes a `transient` error and is never taken for success.
 */
export function parseJsonBody<T extends z.ZodType>(provider: string, method: string, path: string, text: string, schema: T): z.output<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderError({ provider, failure: 'transient', method, path, detail: `malformed response body (not JSON, ${text.length} bytes)` });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new ProviderError({ provider, failure: 'transient', method, path, detail: `unexpected response body: ${issue?.message ?? 'invalid'}${where}` });
  }
  return parsed.data;
}

/**
 * The failure class most providers mean by an HTTP status; adapters override what their provider
 * means differently (EMQX 422, CloudSigma 403, ...).
 */
export function failureForStatus(status: number): FailureClass {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'throttled';
  if (status === 408 || status >= 500) return 'transient';
  return 'invalid';
}

/** A resource id as one URL path segment: `a/b` must not become two segments. */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value);
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: Date): number | undefined {
  const value = firstHeader(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Basic auth header value; the result is a secret. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Cuts a provider's error text to a log-sized detail and masks the given secrets, should a provider echo one. */
export function safeDetail(text: string | undefined, secrets: readonly string[], max = 200): string | undefined {
  if (!text) return undefined;
  let detail = text.replace(/\s+/g, ' ').trim();
  for (const secret of secrets) if (secret) detail = detail.split(secret).join('***');
  return detail.length > max ? `${detail.slice(0, max)}…` : detail;
}

function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// The server's own Date makes an HTTP-date Retry-After independent of our clock's skew.
function dateHeader(headers: IncomingHttpHeaders): Date | undefined {
  const value = firstHeader(headers, 'date');
  const at = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? undefined : new Date(at);
}

function transportError(provider: string, method: string, path: string, error: unknown, timedOutAfterMs: number | undefined): ProviderError {
  const code = (error as { code?: unknown } | null)?.code;
  // undici refuses a malformed request (bad header, bad URL) before sending it: retrying cannot help.
  if (code === 'UND_ERR_INVALID_ARG' || error instanceof TypeError) {
    return new ProviderError({ provider, failure: 'invalid', method, path, detail: `request not sent: ${(error as Error).message}` });
  }
  const detail =
    timedOutAfterMs !== undefined
      ? `timed out after ${timedOutAfterMs}ms`
      : [typeof code === 'string' ? code : undefined, error instanceof Error ? error.message : String(error)].filter(Boolean).join(' ');
  return new ProviderError({ provider, failure: 'transient', method, path, detail });
}
