import { Agent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { PrometheusIdlePolicyConfig } from '../../src/config/config-schema.ts';
import { createPrometheusSignal } from '../../src/idle/prometheus-signal.ts';
import { cannedServer, closedUrl, json, type CannedServer } from './canned-server.ts';

const dispatcher = new Agent();
afterAll(() => dispatcher.close());
const servers: CannedServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

const AT = new Date('2026-11-23T09:00:00Z');
const policy = (url: string): PrometheusIdlePolicyConfig => ({ type: 'prometheus', url: `${url}/prom/`, query: 'sum(rate(mqtt_messages[5m]))', threshold: 0.1, for: 1_800_000, wakeOn: 'schedule' });
const vector = (...values: string[]) => ({ status: 'success', data: { resultType: 'vector', result: values.map((value, i) => ({ metric: { i: String(i) }, value: [1_795_000_000, value] })) } });

async function readFrom(answer: Parameters<typeof cannedServer>[0], timeoutMs = 2_000) {
  const server = await cannedServer(answer);
  servers.push(server);
  const reading = await createPrometheusSignal(policy(server.url), { dispatcher, timeoutMs }).read(AT);
  return { reading, server };
}

describe('prometheus signal', () => {
  it('sends the instant query to /api/v1/query under the configured URL', async () => {
    const { reading, server } = await readFrom(json(200, vector('0')));
    expect(server.paths).toEqual(['/prom/api/v1/query?query=sum(rate(mqtt_messages%5B5m%5D))']);
    expect(reading).toEqual({ at: AT.toISOString(), verdict: 'idle', value: 0, detail: 'value 0 <= 0.1' });
  });

  it('sends credentials written in the URL as a Basic header, never in the URL', async () => {
    let authorization: string | undefined;
    const server = await cannedServer((request, response) => {
      authorization = request.headers.authorization;
      json(200, vector('0'))(request, response);
    });
    servers.push(server);
    const url = server.url.replace('http://', 'http://reader:s3cr%40t@');
    await createPrometheusSignal({ ...policy(url), url }, { dispatcher, timeoutMs: 2_000 }).read(AT);
    expect(authorization).toBe(`Basic ${Buffer.from('reader:s3cr@t').toString('base64')}`);
    expect(server.paths).toEqual(['/api/v1/query?query=sum(rate(mqtt_messages%5B5m%5D))']);
  });

  it.each([
    ['at the threshold', vector('0.1'), 'idle', 0.1],
    ['above it', vector('0.5'), 'active', 0.5],
    ['a scalar', { status: 'success', data: { resultType: 'scalar', result: [1_795_000_000, '0.05'] } }, 'idle', 0.05],
    ['several series: the largest decides', vector('0', '3', '0.01'), 'active', 3],
    ['exponent notation', vector('1e-3'), 'idle', 0.001],
  ])('%s', async (_name, body, verdict, value) => {
    const { reading } = await readFrom(json(200, body));
    expect(reading).toMatchObject({ verdict, value });
  });

  it.each([
    ['no series (a scrape gap or a series gone stale)', json(200, vector()), 'empty', 'the query returned no series'],
    ['NaN', json(200, vector('NaN')), 'not-a-number', 'the query returned NaN'],
    ['+Inf in one of several series', json(200, vector('0', '+Inf')), 'not-a-number', 'the query returned +Inf'],
    ['a query error', json(400, { status: 'error', errorType: 'bad_data', error: 'parse error: unclosed left parenthesis' }), 'query-error', 'query error (bad_data): parse error: unclosed left parenthesis'],
    ['a range vector', json(200, { status: 'success', data: { resultType: 'matrix', result: [] } }), 'malformed', 'the query returns a range vector; write one that returns an instant vector or a scalar'],
    ['a proxy page', json(502, '<html>bad gateway</html>'), 'http-status', 'HTTP 502, not JSON (24 bytes)'],
    ['JSON that is not Prometheus', json(200, { hello: 'world' }), 'malformed', 'HTTP 200, not a Prometheus API answer'],
    ['a value that is not a string', json(200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1, 0] }] } }), 'malformed', 'HTTP 200, not a Prometheus API answer'],
  ])('%s is unknown, never idle', async (_name, answer, failure, detail) => {
    const { reading } = await readFrom(answer);
    expect(reading).toEqual({ at: AT.toISOString(), verdict: 'unknown', value: null, failure, detail });
  });

  it('a Prometheus that does not answer in time is unknown', async () => {
    const { reading } = await readFrom(() => {}, 100);
    expect(reading).toMatchObject({ verdict: 'unknown', failure: 'timeout', detail: 'timed out after 100ms' });
  });

  it('an unreachable Prometheus is unknown', async () => {
    const reading = await createPrometheusSignal(policy(await closedUrl()), { dispatcher, timeoutMs: 2_000 }).read(AT);
    expect(reading).toMatchObject({ verdict: 'unknown', failure: 'unreachable', value: null });
    expect(reading.detail).toMatch(/^unreachable: /);
  });
});
