// Types shared by every provider simulator; the implementation follows below them.
import type { Logger } from 'pino';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /**
   * Divides every limit window and transition delay, so `60` turns EMQX's 60-minute windows into
   * 60 seconds. Tests and the demo use it; 1 is the real provider.
   */
  timeScale?: number;
  /** real-provider time a start/stop takes before the new state shows (before timeScale) */
  transitionMs?: number;
  /** credentials the simulator accepts; anything else is refused as the provider refuses it */
  credentials?: Record<string, string>;
  /** resources that exist from the start, with their initial state (provider's own string) */
  resources?: Record<string, string>;
  /** the unconfirmed readings of PROVIDERS.md, as switches; names are per provider */
  switches?: Record<string, string | boolean>;
  logger?: Logger;
}

export type FaultKind = 'error' | 'slow' | 'drop' | 'malformed';

export interface Fault {
  kind: FaultKind;
  /** requests it applies to: substring of `METHOD /path` (e.g. `POST /deployments/d1/start`); all when absent */
  match?: string;
  /** how many requests it hits before it is spent; forever when absent */
  count?: number;
  /** for `error`: the HTTP status (default 503) */
  status?: number;
  /** for `slow`: how long to wait before answering, ms */
  delayMs?: number;
}

export interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  /** status sent, or 0 for a dropped connection */
  status: number;
  /** false when auth failed */
  authorized: boolean;
  /** the request was refused for a limit (429 / provider code) */
  limited: boolean;
  fault?: FaultKind;
}

export interface Simulator {
  readonly type: string;
  /** listens; resolves with the base URL an adapter should use */
  start(): Promise<string>;
  readonly url: string;
  close(): Promise<void>;
  readonly requests: readonly RecordedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** the provider's raw state string of a resource, or undefined when it does not exist */
  stateOf(resource: string): string | undefined;
  /** creates or forces a resource into a state (raw provider string), cancelling any transition */
  setState(resource: string, raw: string): void;
  /** resolves when a request matching `match` has been recorded (already, or later) */
  waitForRequest(match: string | ((request: RecordedRequest) => boolean), count?: number): Promise<RecordedRequest>;
}
