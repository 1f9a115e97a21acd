import { describe, expect, it } from 'vitest';
import { createLogger, redactSecrets, redactUrl } from '../../src/observability/logger.ts';

function capture(level = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ level, name: 'test', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, any>) };
}

const SECRETS = ['emqx-key-1', 'emqx-secret-1', 'ch-key-secret', 'hunter2', 'up-token-9', 'ultipa-api-key', 'Basic dXNlcjpwYXNz', 'redis-pass', 'cookie-val'];

function expectNoSecrets(lines: readonly string[]): void {
  const output = lines.join('');
  for (const secret of SECRETS) expect(output, `"${secret}" leaked`).not.toContain(secret);
}

describe('createLogger', () => {
  it('writes JSON lines with a level label, name and message', () => {
    const { logger, parsed } = capture();
    logger.info({ target: 'db-1' }, 'started');
    expect(parsed()).toEqual([expect.objectContaining({ level: 'info', name: 'test', target: 'db-1', msg: 'started' })]);
  });

  it('hides secrets by key name at any depth and keeps everything else', () => {
    const { logger, lines, parsed } = capture();
    logger.info(
      {
        providers: { cloud: { type: 'emqx', baseUrl: 'https://emqx.test', credentials: { key: 'emqx-key-1', secret: 'emqx-secret-1' } } },
        clickhouse: { keyId: 'visible-id', keySecret: 'ch-key-secret' },
        upcloud: { username: 'ops', password: 'hunter2', token: 'up-token-9' },
        ultipa: { apiKey: 'ultipa-api-key' },
        req: { method: 'GET', headers: { authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': 'ultipa-api-key', api_key: 'ultipa-api-key', Cookie: 'cookie-val' } },
        limiter: { tokens: 3 },
      },
      'config loaded',
    );
    expectNoSecrets(lines);
    const [line] = parsed();
    expect(line!.providers.cloud).toEqual({ type: 'emqx', baseUrl: 'https://emqx.test', credentials: '[redacted]' });
    expect(line!.clickhouse).toEqual({ keyId: 'visible-id', keySecret: '[redacted]' });
    expect(line!.upcloud.username).toBe('ops');
    expect(line!.req.headers.authorization).toBe('[redacted]');
    expect(line!.req.method).toBe('GET');
    expect(line!.limiter).toEqual({ tokens: 3 });
  });

  it('hides credentials inside URLs and free text, in fields and in the message', () => {
    const { logger, lines, parsed } = capture();
    logger.info({ redis: 'redis://:redis-pass@cache.internal:6379/0' }, 'connecting to redis://default:redis-pass@cache.internal:6379 with password=hunter2');
    expectNoSecrets(lines);
    const [line] = parsed();
    expect(line!.redis).toBe('redis://:***@cache.internal:6379/0');
    expect(line!.msg).toBe('connecting to redis://default:***@cache.internal:6379 with password=***');
  });

  it('serializes errors with their type and stack, cleaned of secrets in messages and fields', () => {
    const { logger, lines, parsed } = capture();
    const cause = new Error('dial redis://:redis-pass@cache.internal failed');
    const error = Object.assign(new TypeError('request failed: Authorization: Bearer up-token-9', { cause }), {
      request: { headers: ['content-type', 'application/json', 'authorization', 'Basic dXNlcjpwYXNz'] },
      status: 401,
    });
    logger.error(error);
    logger.warn({ err: error, target: 'db-1' }, 'retrying');
    expectNoSecrets(lines);
    const [first, second] = parsed();
    expect(first!.err).toMatchObject({ type: 'TypeError', status: 401, request: { headers: ['content-type', 'application/json', 'authorization', '[redacted]'] } });
    expect(first!.err.message).toContain('request failed');
    expect(first!.err.stack).toContain('TypeError');
    expect(first!.err.message).toContain('redis://:***@cache.internal');
    expect(second).toMatchObject({ target: 'db-1', msg: 'retrying', err: { type: 'TypeError' } });
  });

  it('hides secrets in child bindings, for children of children too', () => {
    const { logger, lines, parsed } = capture();
    const child = logger.child({ provider: 'cloud', credentials: { key: 'emqx-key-1', secret: 'emqx-secret-1' } });
    const grandchild = child.child({ target: 'db-1', auth: { password: 'hunter2' } });
    grandchild.setBindings({ token: 'up-token-9' });
    child.info('from child');
    grandchild.info('from grandchild');
    expectNoSecrets(lines);
    expect(parsed()[1]).toMatchObject({ provider: 'cloud', target: 'db-1', auth: { password: '[redacted]' }, msg: 'from grandchild' });
  });

  it('survives circular structures', () => {
    const { logger, parsed } = capture();
    const node: Record<string, unknown> = { name: 'loop', secret: 'hunter2' };
    node.self = node;
    logger.info({ node }, 'circular');
    expect(parsed()[0]!.node).toEqual({ name: 'loop', secret: '[redacted]', self: '[Circular]' });
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
  });
});

describe('redactSecrets', () => {
  it('does not modify the object it is given', () => {
    const config = { credentials: { key: 'k' } };
    redactSecrets(config);
    expect(config).toEqual({ credentials: { key: 'k' } });
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://:redis-pass@cache.internal:6379/0', 'redis://:***@cache.internal:6379/0'],
    ['rediss://default:redis-pass@cache.internal:6380', 'rediss://default:***@cache.internal:6380'],
    ['redis://user:p@ss@host:6379', 'redis://user:***@host:6379'],
    ['https://up-token-9@api.example.com/v1', 'https://***@api.example.com/v1'],
    ['https://api.example.com/v1?api_key=ultipa-api-key&page=2', 'https://api.example.com/v1?api_key=***&page=2'],
    ['redis://cache.internal:6379', 'redis://cache.internal:6379'],
    ['https://cloud-intl.emqx.com/public_api/v1/deployments/d1', 'https://cloud-intl.emqx.com/public_api/v1/deployments/d1'],
  ])('%s -> %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('accepts URL objects', () => {
    expect(redactUrl(new URL('redis://:redis-pass@cache.internal:6379'))).toBe('redis://:***@cache.internal:6379');
  });
});
