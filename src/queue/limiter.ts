import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScript } from './redis-script.ts';

/** One budget: at most `max` grants per sliding `perMs`, shared by every replica through `key`. */
export interface LimiterRule {
  key: string;
  max: number;
  perMs: number;
}

export type Grant =
  | { granted: true }
  | {
      granted: false;
      /** the earliest instant at which every refusing budget has room again */
      retryAt: Date;
      /** the key of the budget that refused last the longest */
      blockedBy: string;
    };

export interface Limiter {
  /** Atomically takes one unit from every rule, or from none; `id` makes the grant's log entry unique. */
  take(rules: readonly LimiterRule[], at: Date, id: string): Promise<Grant>;
  /** Same answer as `take` without taking anything: for status, plan and deciding whether to wait. */
  peek(rules: readonly LimiterRule[], at: Date): Promise<Grant>;
}

// A sliding log per budget (sorted set of grant instants). Sliding, not fixed windows: a fixed window
// lets two calls through seconds apart across a boundary, which a provider counting per rolling hour
// answers with 429. All rules are checked before any is taken, so a refusal leaves no trace.
const SCRIPT = redisScript(`
local now = tonumber(ARGV[1])
local take = ARGV[2] == '1'
local member = ARGV[3]
local waitMs = 0
local blocked = ''
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 + i * 2])
  local per = tonumber(ARGV[3 + i * 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - per)
  local count = redis.call('ZCARD', key)
  if count >= max then
    local oldest = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    local wait = tonumber(oldest[2]) + per - now + 1
    if wait > waitMs then
      waitMs = wait
      blocked = key
    end
  end
end
if waitMs > 0 then
  return {waitMs, blocked}
end
if take then
  for i, key in ipairs(KEYS) do
    local per = tonumber(ARGV[3 + i * 2])
    redis.call('ZADD', key, now, member)
    redis.call('PEXPIRE', key, per + 1000)
  end
end
return {0, ''}
`);

export function createLimiter(redis: Redis): Limiter {
  async function run(rules: readonly LimiterRule[], at: Date, take: boolean, id: string): Promise<Grant> {
    if (rules.length === 0) return { granted: true };
    const now = at.getTime();
    // the member must be unique per grant: a status read and a start of one job at one instant are two
    // requests to the provider, and a sorted set would count equal members once
    const args: (string | number)[] = [now, take ? '1' : '0', `${now}:${id}:${randomUUID()}`];
    for (const rule of rules) args.push(rule.max, rule.perMs);
    const [waitMs, blocked] = (await SCRIPT(redis, rules.map((r) => r.key), args)) as [number, string];
    if (waitMs <= 0) return { granted: true };
    return { granted: false, retryAt: new Date(now + waitMs), blockedBy: blocked };
  }
  return {
    take: (rules, at, id) => run(rules, at, true, id),
    peek: (rules, at) => run(rules, at, false, ''),
  };
}
