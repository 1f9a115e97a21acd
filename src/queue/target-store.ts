import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Action, DesiredState, ObservedState } from '../providers/provider.ts';
import { overrideSchema, type Override } from '../planner/override.ts';
import { idleClockSchema, idleDecisionSchema, type IdleClock, type IdleDecision, type IdleState } from '../idle/idle-state.ts';
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

/** Stopped time observed for a target and the money it saved, summed over every replica's observations. */
export interface SavingsRecord {
  stoppedSeconds: number;
  /** at the costPerHour in force when each stretch was observed; 0 for a target without one */
  saved: number;
}

const observedSchema = z.object({
  state: z.enum(['running', 'stopped', 'starting', 'stopping', 'unknown']),
  raw: z.string(),
  at: z.string(),
});
const deferredSchema = z.object({ action: z.enum(['start', 'stop']), until: z.string(), reason: z.string() });
const savingsSchema = z.object({ stoppedSeconds: z.number(), saved: z.number() });

export interface TargetStore {
  setObserved(target: string, record: ObservedRecord): Promise<void>;
  allObserved(): Promise<Map<string, ObservedRecord>>;
  getObserved(target: string): Promise<ObservedRecord | undefined>;
  /**
   * Adds the time since the target's previous observation when both found it stopped, at `costPerHour`
   * when given; returns what this observation added. Atomic, so replicas observing the same target
   * never count a stretch twice; an observation older than the last one adds nothing.
   */
  accrueStopped(target: string, observation: { state: ObservedState; at: Date }, costPerHour?: number): Promise<SavingsRecord>;
  allSavings(): Promise<Map<string, SavingsRecord>>;
  /** remembers that the decision (desired, since) is carried out, so a restart does not redo it */
  markDone(target: string, desired: DesiredState, since: Date): Promise<void>;
  /** for each target, the decision last carried out (`running@<ms>`), if any */
  doneFor(targets: readonly string[]): Promise<Map<string, string>>;
  setDeferred(target: string, record: DeferredRecord): Promise<void>;
  clearDeferred(target: string): Promise<void>;
  allDeferred(): Promise<Map<string, DeferredRecord>>;
  getOverride(target: string): Promise<Override | undefined>;
  /** setting or clearing an override also ends a target's idle stop (its hysteresis): the override decides now */
  setOverride(target: string, override: Override): Promise<void>;
  clearOverride(target: string): Promise<boolean>;
  /** idle clock and idle decision of each of `targets` that has either */
  idleFor(targets: readonly string[]): Promise<Map<string, IdleState>>;
  allIdle(): Promise<Map<string, IdleState>>;
  setIdleClock(target: string, clock: IdleClock): Promise<void>;
  /** the idle stop or wake decide() reads (null clears it); kept apart from the clock so an override can end it */
  setIdleDecision(target: string, decision: IdleDecision | null): Promise<void>;
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

// taken when free, or (re)taken by its holder: a job re-run after its process died gets its lock back
const LOCK = redisScript(
  `local held = redis.call('GET', KEYS[1]) if held == false or held == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end return 0`,
);
const UNLOCK = redisScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);
// KEYS[1] savings hash; ARGV: target, observed at (ms), state, cost per hour ('' for none). Floats travel
// as strings: Redis truncates a Lua number reply to an integer.
const ACCRUE_STOPPED = redisScript(`
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local r = raw and cjson.decode(raw) or { stoppedSeconds = 0, saved = 0 }
local at = tonumber(ARGV[2])
if r.at and at <= r.at then return { '0', '0' } end
local seconds = 0
if r.state == 'stopped' and ARGV[3] == 'stopped' then seconds = (at - r.at) / 1000 end
local saved = 0
if ARGV[4] ~= '' then saved = seconds / 3600 * tonumber(ARGV[4]) end
r.at = at
r.state = ARGV[3]
r.stoppedSeconds = r.stoppedSeconds + seconds
r.saved = r.saved + saved
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(r))
return { tostring(seconds), tostring(saved) }`);
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

const NO_CLOCK: IdleClock = { idleSince: null, runningSince: null, last: null, blocked: null, native: null };

/** Joins the two idle hashes; an unreadable half counts as absent. */
function idleStates(rows: [string, string | null, string | null][]): Map<string, IdleState> {
  const result = new Map<string, IdleState>();
  for (const [target, clock, decision] of rows) {
    if (clock === null && decision === null) continue;
    const parsedClock = clock === null ? undefined : parseEach({ [target]: clock }, idleClockSchema).get(target);
    const parsedDecision = decision === null ? undefined : parseEach({ [target]: decision }, idleDecisionSchema).get(target);
    result.set(target, { ...(parsedClock ?? NO_CLOCK), decision: parsedDecision ?? null });
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
    savings: `${prefix}:savings`,
    overrides: `${prefix}:overrides`,
    idle: `${prefix}:idle`,
    idleDecision: `${prefix}:idle-decision`,
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
    async getObserved(target) {
      const raw = await redis.hget(k.observed, target);
      return raw ? parseEach({ [target]: raw }, observedSchema).get(target) : undefined;
    },
    async accrueStopped(target, observation, costPerHour) {
      const args = [target, observation.at.getTime(), observation.state, costPerHour ?? ''];
      const [seconds, saved] = (await ACCRUE_STOPPED(redis, [k.savings], args)) as [string, string];
      return { stoppedSeconds: Number(seconds), saved: Number(saved) };
    },
    async allSavings() {
      return parseEach(await redis.hgetall(k.savings), savingsSchema);
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
      await redis.multi().hset(k.overrides, target, JSON.stringify(override)).hdel(k.idleDecision, target).exec();
    },
    async clearOverride(target) {
      const results = await redis.multi().hdel(k.overrides, target).hdel(k.idleDecision, target).exec();
      return Number(results?.[0]?.[1] ?? 0) > 0;
    },
    async allOverrides() {
      return parseEach(await redis.hgetall(k.overrides), overrideSchema);
    },
    async idleFor(targets) {
      if (targets.length === 0) return new Map();
      const [clocks, decisions] = await Promise.all([redis.hmget(k.idle, ...targets), redis.hmget(k.idleDecision, ...targets)]);
      return idleStates(targets.map((target, index) => [target, clocks[index] ?? null, decisions[index] ?? null]));
    },
    async allIdle() {
      const [clocks, decisions] = await Promise.all([redis.hgetall(k.idle), redis.hgetall(k.idleDecision)]);
      const names = new Set([...Object.keys(clocks), ...Object.keys(decisions)]);
      return idleStates([...names].map((target) => [target, clocks[target] ?? null, decisions[target] ?? null]));
    },
    async setIdleClock(target, clock) {
      await redis.hset(k.idle, target, JSON.stringify(clock));
    },
    async setIdleDecision(target, decision) {
      if (decision) await redis.hset(k.idleDecision, target, JSON.stringify(decision));
      else await redis.hdel(k.idleDecision, target);
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
      return (await LOCK(redis, [k.lock(target)], [token, ttlMs])) === 1;
    },
    async unlock(target, token) {
      await UNLOCK(redis, [k.lock(target)], [token]);
    },
  };
}
