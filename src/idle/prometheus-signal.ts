import { request } from 'undici';
import { z } from 'zod';
import type { PrometheusIdlePolicyConfig } from '../config/config-schema.ts';
import { compareWithThreshold, transportFailure, unknownReading, type IdleReading } from './idle-reading.ts';
import type { IdleSignal, SignalDeps } from './idle-signal.ts';
import { splitCredentials } from './split-credentials.ts';

// Prometheus writes sample values as strings: "0", "1e+06", "NaN", "+Inf".
const sampleSchema = z.tuple([z.number(), z.string()]);

const responseSchema = z.discriminatedUnion('status', [
  z.looseObject({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.looseObject({ resultType: z.literal('vector'), result: z.array(z.looseObject({ metric: z.record(z.string(), z.string()).optional(), value: sampleSchema })) }),
      z.looseObject({ resultType: z.literal('scalar'), result: sampleSchema }),
      z.looseObject({ resultType: z.enum(['matrix', 'string']), result: z.unknown() }),
    ]),
  }),
  z.looseObject({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/**
 * An instant query against Prometheus' HTTP API (`GET /api/v1/query`), evaluated at Prometheus' own
 * now (its latest data). Idle while the value is <= threshold; with several series the largest value
 * decides, so one busy series is enough to count as active. No series, an error, a timeout or a value
 * that is not a finite number is an unknown reading.
 */
export function createPrometheusSignal(policy: PrometheusIdlePolicyConfig, deps: SignalDeps): IdleSignal {
  const base = splitCredentials(policy.url);
  const url = `${base.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(policy.query)}`;
  const headers = { ...base.headers, accept: 'application/json' };
  return {
    async read(at) {
      const signal = AbortSignal.timeout(deps.timeoutMs);
      let status: number;
      let text: string;
      try {
        const response = await request(url, { dispatcher: deps.dispatcher, method: 'GET', headers, signal });
        status = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        return transportFailure(at, error, signal.aborted, deps.timeoutMs);
      }
      return readingOf(at, status, text, policy.threshold);
    },
  };
}

function readingOf(at: Date, status: number, text: string, threshold: number): IdleReading {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return unknownReading(at, status >= 200 && status < 300 ? 'malformed' : 'http-status', `HTTP ${status}, not JSON (${text.length} bytes)`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) return unknownReading(at, status >= 200 && status < 300 ? 'malformed' : 'http-status', `HTTP ${status}, not a Prometheus API answer`);
  const body = parsed.data;
  // Prometheus answers query errors with 400/422/503 and status "error"; its words say what to fix.
  if (body.status === 'error') return unknownReading(at, 'query-error', `query error (${body.errorType ?? `HTTP ${status}`}): ${(body.error ?? '').slice(0, 160)}`);
  const { data } = body;
  let raw: string[];
  if (data.resultType === 'scalar') raw = [data.result[1]];
  else if (data.resultType === 'vector') raw = data.result.map((series) => series.value[1]);
  else return unknownReading(at, 'malformed', `the query returns a ${data.resultType === 'matrix' ? 'range vector' : 'string'}; write one that returns an instant vector or a scalar`);
  if (raw.length === 0) return unknownReading(at, 'empty', 'the query returned no series');
  const values = raw.map(Number);
  if (values.some((value) => !Number.isFinite(value))) return unknownReading(at, 'not-a-number', `the query returned ${raw.find((_, i) => !Number.isFinite(values[i]!))}`);
  return compareWithThreshold(at, Math.max(...values), threshold);
}
