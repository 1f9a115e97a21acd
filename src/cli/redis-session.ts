import { Redis } from 'ioredis';
import type { LoadedConfig } from '../config/load-config.ts';
import { createTargetStore, type TargetStore } from '../queue/target-store.ts';
import { redactUrl } from '../observability/logger.ts';

/**
 * A short-lived Redis connection for one CLI command; fails fast with the (redacted) URL when Redis is
 * away. Commands that can do without Redis pass a shorter `connectTimeoutMs`.
 */
export async function withStore<T>(loaded: LoadedConfig, use: (store: TargetStore) => Promise<T>, options: { connectTimeoutMs?: number } = {}): Promise<T> {
  const quick = options.connectTimeoutMs === undefined ? {} : { commandTimeout: options.connectTimeoutMs };
  const redis = new Redis(loaded.config.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null, connectTimeout: options.connectTimeoutMs ?? 3_000, ...quick });
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(`[redis] cannot reach ${redactUrl(loaded.config.redis.url)}: ${(error as Error).message}`);
  }
  try {
    return await use(createTargetStore(redis, loaded.config.redis.prefix));
  } finally {
    redis.disconnect();
  }
}
