import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { ActionableDecision } from '../planner/decide.ts';
import { ensureJobId, observeJobId, type EnsurePayload, type ObservePayload } from './job-payloads.ts';
import type { ManagedTarget } from './managed-target.ts';

export const QUEUE_NAME = 'actions';

/**
 * Completed jobs go at once, so a later drift in the same period can enqueue the same id again;
 * failed ones stay a day, so a target that failed for good (auth, not found, stuck) is not retried on
 * every observation, and the failure is there to inspect.
 */
const ENSURE_OPTIONS: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { age: 24 * 3600 },
  // transient failures retry for about two hours (backoff capped at 5 minutes, see action-worker.ts),
  // so a provider outage at a schedule edge is ridden out rather than turned into a failed decision
  attempts: 30,
  backoff: { type: 'capped-exponential' },
};
/** bulk adds are split so one call never builds a 100k-command pipeline */
const BATCH = 1_000;
const OBSERVE_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };

export interface ActionQueue {
  readonly queue: Queue;
  /**
   * Enqueues each decision as an ensure job; duplicates of pending jobs vanish (deterministic ids). A
   * decision whose `since` is still ahead (prepared before its edge) waits in BullMQ until then.
   */
  enqueueDecisions(decisions: readonly ActionableDecision[], at: Date): Promise<void>;
  /** schedules the next steady status read of a target, at its next slot after `at` */
  enqueueObserve(target: ManagedTarget, at: Date): Promise<void>;
  enqueueObserveAll(targets: readonly ManagedTarget[], at: Date): Promise<void>;
  /**
   * Removes the failed job of this decision once it failed at least `cooldownMs` ago, so the decision
   * can be enqueued again: a failure (an outage that outlasted every retry, a target stuck, a key fixed
   * since) must not hold a target in the wrong state until the failed job expires.
   */
  reviveFailed(decision: ActionableDecision, at: Date, cooldownMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Spreads targets over the polling interval by a stable hash of the name, so reads do not bunch up. */
function offsetOf(name: string, interval: number): number {
  let hash = 2166136261;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return (hash >>> 0) % interval;
}

/**
 * The next observation slot strictly after `at`. Slots are aligned to a grid, so every replica and every
 * restart computes the same job id and a target never gets two observation chains.
 */
export function nextObserveSlot(name: string, interval: number, at: Date): number {
  const offset = offsetOf(name, interval);
  return Math.floor((at.getTime() - offset) / interval) * interval + interval + offset;
}

export function createActionQueue(options: { connection: ConnectionOptions; prefix: string; onError?: (error: Error) => void }): ActionQueue {
  const queue = new Queue(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
  // without a listener BullMQ prints connection errors raw to stderr, past the logger and its redaction
  queue.on('error', options.onError ?? (() => {}));
  const observeJob = (target: ManagedTarget, at: Date) => {
    const slot = nextObserveSlot(target.name, target.poll.steadyMs, at);
    const data: ObservePayload = { kind: 'observe', target: target.name, slot };
    return { name: 'observe', data, opts: { ...OBSERVE_OPTIONS, jobId: observeJobId(target.name, slot), timestamp: at.getTime(), delay: Math.max(0, slot - at.getTime()) } };
  };
  return {
    queue,
    async enqueueDecisions(decisions, at) {
      for (let i = 0; i < decisions.length; i += BATCH) {
        await queue.addBulk(
        decisions.slice(i, i + BATCH).map((decision) => {
          const data: EnsurePayload = {
            kind: 'ensure',
            target: decision.target,
            desired: decision.desired,
            since: decision.since.toISOString(),
            reason: decision.reason,
            phase: 'act',
            busy: 0,
            reacts: 0,
          };
          const jobId = ensureJobId(decision.target, decision.desired, decision.since);
          // BullMQ counts the delay from `timestamp`: from the decision's instant, not from when the batch
          // reaches Redis, so the last of 10k prepared jobs is due at the edge like the first
          return { name: 'ensure', data, opts: { ...ENSURE_OPTIONS, jobId, timestamp: at.getTime(), delay: Math.max(0, decision.since.getTime() - at.getTime()) } };
        }),
        );
      }
    },
    async enqueueObserve(target, at) {
      const job = observeJob(target, at);
      await queue.add(job.name, job.data, job.opts);
    },
    async enqueueObserveAll(targets, at) {
      for (let i = 0; i < targets.length; i += BATCH) {
        await queue.addBulk(targets.slice(i, i + BATCH).map((target) => observeJob(target, at)));
      }
    },
    async reviveFailed(decision, at, cooldownMs) {
      const job = await queue.getJob(ensureJobId(decision.target, decision.desired, decision.since));
      if (!job || !(await job.isFailed())) return false;
      if ((job.finishedOn ?? 0) + cooldownMs > at.getTime()) return false;
      await job.remove();
      return true;
    },
    close: () => queue.close(),
  };
}
