import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Action, DesiredState, ObservedState } from '../providers/provider.ts';
import { overrideSchema, type Override } from '../planner/override.ts';
import { redisScript } from './redis-script.ts';

/** The little per-target state offhours keeps in Redis, so every replica and every restart sees it. */
export interface ObservedRecord {
  state: ObservedState;
  raw: string;
  at: string;
}

export interface DeferredRecord {
  action: Action;
  /** when the limit window opens and the action will be tried again */
  until: string;
  reason: string;
}

export interface AuditEvent {
  at: string;
  target: string;
  event: string;
  reason: string;
  action?: Action | undefined;
  detail?: string | undefined;
}

const observedSchema = z.object({
  state: z.enum(['running', 'stopped', 'starting', 'stopping', 'unknown']),
  raw: z.string(),
  at: z.string(),
});
const deferredSchema = z.object({ action: z.enum(['start', 'stop']), until: z.string(), reason: z.string() });

export interface TargetStore {
  setObserved(target: string, record: ObservedRecord): Promise<void>;
  allObserved(): Promise<Map<string, ObservedRecord>>;
  /** remembers that the decision (desired, since) is carried out, so a restart does not redo it */
  markDone(target: string, desired: DesiredState, since: Date): Promise<void>;
  /** for each target, the decision last carried out (`running@<ms>`), if any */
  doneFor(targets: readonly string[]): Promise<Map<string, string>>;
  setDeferred(target: string, record: DeferredRecord): Promise<void>;
  clearDeferred(target: string): Promise<void>;
  allDeferred(): Promise<Map<string, DeferredRecord>>;
  getOverride(target: string): Promise<Override | undefined>;
  setOverride(target: string, override: Override): Promise<void>;
  clearOverride(target: string): Promise<boolean>;
  allOverrides(): Promise<Map<string, Override>>;
  audit(event: AuditEvent): Promise<void>;
  recentAudit(count: number): Promise<(AuditEvent & { id: string })[]>;
  /** audit events after the one with stream id `id` ('0-0' for all), oldest first */
  auditAfter(id: string, count: number): Promise<(AuditEvent & { id: string })[]>;
  /** takes the per-target lock (one job per target acts at a time); false when another holder has it */
  lock(target: string, token: string, ttlMs: number): Promise<boolean>;
  unlock(target: string, token: string): Promise<void>;
}

export function doneKey(desired: DesiredState, since: Date): string {
  return `${desired}@${since.getTime()}`;
}

const UNLOCK = redisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);
const AUDIT_LENGTH = 10_000;

function parseEach<T>(entries: Record<string, string>, schema: z.ZodType<T>): Map<string, T> {
  const result = new Map<string, T>();
  for (const [key, raw] of Object.entries(entries)) {
    try {
      const parsed = schema.safeParse(JSON.parse(raw));
      if (parsed.success) result.set(key, parsed.data);
    } catch {
      // an unreadable entry is as good as none: the next observation or decision rewrites it
    }
  }
  return result;
}

function auditEntry([id, fields]: [string, string[]]): AuditEvent & { id: string } {
  const record: Record<string, string> = { id };
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
  return record as unknown as AuditEvent & { id: string };
}

export function createTargetStore(redis: Redis, prefix: string): TargetStore {
  const k = {
    observed: `${prefix}:observed`,
    done: `${prefix}:done`,
    deferred: `${prefix}:deferred`,
    overrides: `${prefix}:overrides`,
    audit: `${prefix}:audit`,
    lock: (target: string) => `${prefix}:lock:${target}`,
  };
  return {
    async setObserved(target, record) {
      await redis.hset(k.observed, target, JSON.stringify(record));
    },
    async allObserved() {
      return parseEach(await redis.hgetall(k.observed), observedSchema);
    },
    async markDone(target, desired, since) {
      await redis.hset(k.done, target, doneKey(desired, since));
    },
    async doneFor(targets) {
      const result = new Map<string, string>();
      if (targets.length === 0) return result;
      const values = await redis.hmget(k.done, ...targets);
      targets.forEach((target, index) => {
        const value = values[index];
        if (value) result.set(target, value);
      });
      return result;
    },
    async setDeferred(target, record) {
      await redis.hset(k.deferred, target, JSON.stringify(record));
    },
    async clearDeferred(target) {
      await redis.hdel(k.deferred, target);
    },
    async allDeferred() {
      return parseEach(await redis.hgetall(k.deferred), deferredSchema);
    },
    async getOverride(target) {
      const raw = await redis.hget(k.overrides, target);
      if (!raw) return undefined;
      return parseEach({ [target]: raw }, overrideSchema).get(target);
    },
    async setOverride(target, override) {
      await redis.hset(k.overrides, target, JSON.stringify(override));
    },
    async clearOverride(target) {
      return (await redis.hdel(k.overrides, target)) > 0;
    },
    async allOverrides() {
      return parseEach(await redis.hgetall(k.overrides), overrideSchema);
    },
    async audit(event) {
      const fields = Object.entries(event).flatMap(([key, value]) => (value === undefined ? [] : [key, String(value)]));
      await redis.xadd(k.audit, 'MAXLEN', '~', AUDIT_LENGTH, '*', ...fields);
    },
    async recentAudit(count) {
      return (await redis.xrevrange(k.audit, '+', '-', 'COUNT', count)).map(auditEntry);
    },
    async auditAfter(id, count) {
      return (await redis.xrange(k.audit, `(${id}`, '+', 'COUNT', count)).map(auditEntry);
    },
    async lock(target, token, ttlMs) {
      return (await redis.set(k.lock(target), token, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async unlock(target, token) {
      await UNLOCK(redis, [k.lock(target)], [token]);
    },
  };
}
