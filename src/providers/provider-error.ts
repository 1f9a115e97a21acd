/**
 * The failure classes of PROVIDERS.md. `already` never becomes an error (adapters return it as an
 * outcome); it is listed so the class names in metrics are complete.
 */
export type FailureClass = 'already' | 'conflict' | 'throttled' | 'auth' | 'not-found' | 'invalid' | 'transient';

export interface ProviderErrorInit {
  provider: string;
  failure: FailureClass;
  method: string;
  path: string;
  status?: number | undefined;
  /** provider's code or error type, if any (never a secret) */
  code?: string | undefined;
  detail?: string | undefined;
  /** from Retry-After / X-RateLimit-Reset, when the provider sent one */
  retryAfterMs?: number | undefined;
}

/**
 * A provider call that did not do what was asked. The message names the source first
 * (`[emqx] 429 on POST /deployments/x/start: ...`) so a log line or CLI error reads on its own.
 */
export class ProviderError extends Error {
  readonly provider: string;
  readonly failure: FailureClass;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: ProviderErrorInit) {
    const what = init.status === undefined ? init.failure : String(init.status);
    const tail = [init.code, init.detail].filter(Boolean).join(' ');
    super(`[${init.provider}] ${what} on ${init.method} ${init.path}${tail ? `: ${tail}` : ''} (${init.failure})`);
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.failure = init.failure;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
