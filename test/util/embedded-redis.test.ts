import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redisInstallCommand, startEmbeddedRedis, type EmbeddedRedis } from '../../src/util/embedded-redis.ts';

const started: EmbeddedRedis[] = [];
const dirs: string[] = [];

async function start(options?: Parameters<typeof startEmbeddedRedis>[0]): Promise<EmbeddedRedis> {
  const redis = await startEmbeddedRedis(options);
  started.push(redis);
  return redis;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'offhours-embedded-redis-test-'));
  dirs.push(dir);
  return dir;
}

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** Resolves with the connection error code, or 'connected'. */
function probe(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(started.splice(0).map((redis) => redis.stop()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('startEmbeddedRedis', () => {
  it('starts a redis on a free local port that answers PING, and stop() shuts it down', async () => {
    const redis = await start();

    expect(redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(await withClient(redis.url, (client) => client.ping())).toBe('PONG');

    await redis.stop();
    expect(await probe(redis.url)).toBe('ECONNREFUSED');
    await redis.stop(); // a second stop is harmless
  });

  it('starts two at once on different ports', async () => {
    const [a, b] = await Promise.all([start(), start()]);

    expect(a!.url).not.toBe(b!.url);
    await withClient(a!.url, (client) => client.set('who', 'a'));
    expect(await withClient(b!.url, (client) => client.get('who'))).toBeNull();
  });

  it('keeps its data across a restart when given a dir', async () => {
    const dir = await tempDir();
    const first = await start({ dir });
    await withClient(first.url, (client) => client.set('offhours:test:kept', 'yes'));
    await first.stop();

    const second = await start({ dir });

    expect(await withClient(second.url, (client) => client.get('offhours:test:kept'))).toBe('yes');
  });

  it('reports a taken port with redis-server’s own reason', async () => {
    const first = await start();
    const port = Number(new URL(first.url).port);

    await expect(start({ port })).rejects.toThrow(
      new RegExp(`^\\[embedded-redis\\] redis-server exited .* 127\\.0\\.0\\.1:${port}.*Address already in use`),
    );
  });

  it('names the install command when redis-server is not on PATH', async () => {
    vi.stubEnv('PATH', await tempDir());

    await expect(start()).rejects.toThrow(
      `[embedded-redis] redis-server is not on PATH; install it with: ${redisInstallCommand()}`,
    );
  });
});

describe('redisInstallCommand', () => {
  it('names apt-get on Linux and brew on macOS', () => {
    expect(redisInstallCommand('linux')).toBe('sudo apt-get install -y redis-server');
    expect(redisInstallCommand('darwin')).toBe('brew install redis');
  });
});
