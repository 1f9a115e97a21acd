import { DelayedError, UnrecoverableError } from 'bullmq';

/**
 * The failure classes of PROVIDERS.md. `already` never becomes an error (adapters return it as an
 * outcome); it is listed so the class names in metrics are complete.
 */
export type FailureClass = 'already' | 'conflict' | 'throttled' | 'auth' | 'not-found' | 'invalid' | 'transient';

export const FAILURE_CLASSES: readonly FailureClass[] = ['already', 'conflict', 'throttled', 'auth', 'not-found', 'invalid', 'transient'];

/** Retry semantics per class: what the worker does with a job that met one. */
export type RetryKind = 'retry' | 'wait' | 'give-up';

export function retryKindOf(failure: FailureClass): RetryKind {
  switch (failure) {
    case 'conflict':
    case 'transient':
      return 'retry';
    case 'throttled':
      return 'wait';
    case 'auth':
    case 'not-found':
    case 'invalid':
      return 'give-up';
    case 'already':
      return 'give-up';
  }
}

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

/** Give-up classes end the BullMQ job without further attempts; the others are retried by the worker. */
export function toBullmqError(error: ProviderError): Error {
  return retryKindOf(error.failure) === 'give-up' ? new UnrecoverableError(error.message) : error;
}

export { DelayedError, UnrecoverableError };
