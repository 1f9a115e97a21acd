import { Agent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { HttpIdlePolicyConfig } from '../../src/config/config-schema.ts';
import { createHttpSignal, fieldAt } from '../../src/idle/http-signal.ts';
import { cannedServer, closedUrl, json, type CannedServer } from './canned-server.ts';

const dispatcher = new Agent();
afterAll(() => dispatcher.close());
const servers: CannedServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

const AT = new Date('2026-11-23T09:00:00Z');
const base = { type: 'http' as const, for: 600_000, wakeOn: 'schedule' as const };

async function readFrom(answer: Parameters<typeof cannedServer>[0], options: Partial<HttpIdlePolicyConfig>) {
  const server = await cannedServer(answer);
  servers.push(server);
  return createHttpSignal({ ...base, url: `${server.url}/stats`, ...options }, { dispatcher, timeoutMs: 2_000 }).read(AT);
}

describe('http signal by JSON field', () => {
  const byField = { field: 'data.connections', threshold: 0 };

  it.each([
    [{ data: { connections: 0 } }, 'idle', 0, 'value 0 <= 0'],
    [{ data: { connections: 4 } }, 'active', 4, 'value 4 > 0'],
    [{ data: { connections: '0' } }, 'idle', 0, 'value 0 <= 0'],
  ])('%j is %s', async (body, verdict, value, detail) => {
    expect(await readFrom(json(200, body), byField)).toEqual({ at: AT.toISOString(), verdict, value, detail });
  });

  it.each([
    ['a missing field', json(200, { data: {} }), 'missing-field', 'no field data.connections in the answer'],
    ['a field that is not a number', json(200, { data: { connections: 'many' } }), 'not-a-number', 'data.connections is "many", not a number'],
    ['null', json(200, { data: { connections: null } }), 'not-a-number', 'data.connections is null, not a number'],
    ['a body that is not JSON', json(200, 'ok'), 'malformed', 'not JSON (2 bytes)'],
    ['an error status, whatever the body', json(503, { data: { connections: 0 } }), 'http-status', 'HTTP 503'],
  ])('%s is unknown', async (_name, answer, failure, detail) => {
    expect(await readFrom(answer, byField)).toEqual({ at: AT.toISOString(), verdict: 'unknown', value: null, failure, detail });
  });

  it('paths index arrays with digits and never read inherited properties', () => {
    expect(fieldAt({ items: [{ count: 1 }, { count: 2 }] }, 'items.1.count')).toBe(2);
    expect(fieldAt({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(fieldAt({ a: [1] }, 'a.length')).toBeUndefined();
  });
});

describe('http signal by status', () => {
  const byStatus = { idleStatus: [204, 423] };

  it.each([
    [204, 'idle', 'HTTP 204 means idle'],
    [423, 'idle', 'HTTP 423 means idle'],
    [200, 'active', 'HTTP 200 (idle is 204, 423)'],
  ])('%d is %s', async (status, verdict, detail) => {
    expect(await readFrom(json(status, ''), byStatus)).toEqual({ at: AT.toISOString(), verdict, value: status, detail });
  });

  it('another status is unknown', async () => {
    expect(await readFrom(json(500, 'boom'), byStatus)).toMatchObject({ verdict: 'unknown', failure: 'http-status', detail: 'HTTP 500' });
  });

  it('unreachable is unknown', async () => {
    const reading = await createHttpSignal({ ...base, url: await closedUrl(), ...byStatus }, { dispatcher, timeoutMs: 2_000 }).read(AT);
    expect(reading).toMatchObject({ verdict: 'unknown', failure: 'unreachable' });
  });
});
