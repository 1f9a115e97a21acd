import { request } from 'undici';
import { z } from 'zod';
import type { HttpIdlePolicyConfig } from '../config/config-schema.ts';
import { compareWithThreshold, transportFailure, unknownReading, type IdleReading } from './idle-reading.ts';
import type { IdleSignal, SignalDeps } from './idle-signal.ts';
import { splitCredentials } from './split-credentials.ts';

// A number, or a number written as a string (`"3"`), which some status endpoints send.
const numberSchema = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/**
 * GET a URL. With `field`, idle while that JSON field (`data.connections`, `items.0.count`) is <=
 * threshold; an answer other than 2xx, a body that is not JSON, a missing field or a value that is
 * not a number is unknown. Without `field`, the status says: one of `idleStatus` is idle, another 2xx
 * is active, anything else unknown. Unreachable is unknown.
 */
export function createHttpSignal(policy: HttpIdlePolicyConfig, deps: SignalDeps): IdleSignal {
  const target = splitCredentials(policy.url);
  const headers = { ...target.headers, accept: 'application/json' };
  return {
    async read(at) {
      const signal = AbortSignal.timeout(deps.timeoutMs);
      let status: number;
      let text: string;
      try {
        const response = await request(target.url, { dispatcher: deps.dispatcher, method: 'GET', headers, signal });
        status = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        return transportFailure(at, error, signal.aborted, deps.timeoutMs);
      }
      if (policy.field === undefined) return byStatus(at, status, policy.idleStatus ?? []);
      if (status < 200 || status >= 300) return unknownReading(at, 'http-status', `HTTP ${status}`);
      return byField(at, text, policy.field, policy.threshold ?? 0);
    },
  };
}

function byStatus(at: Date, status: number, idleStatus: readonly number[]): IdleReading {
  if (idleStatus.includes(status)) return { at: at.toISOString(), verdict: 'idle', value: status, detail: `HTTP ${status} means idle` };
  if (status >= 200 && status < 300) return { at: at.toISOString(), verdict: 'active', value: status, detail: `HTTP ${status} (idle is ${idleStatus.join(', ')})` };
  return unknownReading(at, 'http-status', `HTTP ${status}`);
}

function byField(at: Date, text: string, field: string, threshold: number): IdleReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return unknownReading(at, 'malformed', `not JSON (${text.length} bytes)`);
  }
  const found = fieldAt(json, field);
  if (found === undefined) return unknownReading(at, 'missing-field', `no field ${field} in the answer`);
  const parsed = numberSchema.safeParse(found);
  if (!parsed.success) return unknownReading(at, 'not-a-number', `${field} is ${JSON.stringify(found)?.slice(0, 40)}, not a number`);
  return compareWithThreshold(at, parsed.data, threshold);
}

/** The value at a dotted path; digits index arrays. */
export function fieldAt(json: unknown, path: string): unknown {
  let node = json;
  for (const segment of path.split('.')) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, segment)) node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}
