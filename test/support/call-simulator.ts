import { request, type Dispatcher } from 'undici';
import type { SimulatorServer } from '../../src/providers/simulator-kit.ts';

export interface SimulatorAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** the body parsed as JSON; its text when it is not JSON (a text/plain answer, the malformed fault) */
  json: unknown;
}

/**
 * One raw HTTP call to a simulator, as a client other than the adapter would make it. `path` is relative
 * to the simulator's origin; a string body is sent as is, anything else as JSON.
 */
export async function callSimulator(
  dispatcher: Dispatcher,
  sim: SimulatorServer,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<SimulatorAnswer> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await request(new URL(path, sim.url).href, {
    dispatcher,
    method: method as 'GET',
    headers: options.headers ?? {},
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.body.text();
  let json: unknown = text;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // kept as text
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}
