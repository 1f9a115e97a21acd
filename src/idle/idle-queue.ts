import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { nextObserveSlot } from '../queue/action-queue.ts';
import type { IdlePolicy } from './idle-policy.ts';
import { nativeJobId, sampleJobId, type NativePayload, type SamplePayload } from './idle-payloads.ts';

export const IDLE_QUEUE_NAME = 'idle';

const SAMPLE_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };
// A refused setting stays a day to inspect; transient failures are retried with backoff.
const NATIVE_OPTIONS: JobsOptions = { removeOnComplete: true, removeOnFail: { age: 24 * 3600 }, attempts: 8, backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 } };
const BATCH = 1_000;

export type SampleTiming = Pick<IdlePolicy, 'everyMs' | 'jitterMs'>;

/** FNV-1a of a string: a stable pseudo-random number, the same on every replica. */
function hashOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * The next reading of a target after `at`: the slot on its sampling grid (spread over the interval by
 * its name, like observation) and the instant it runs, moved by a jitter that is derived from name and
 * slot, so replicas agree on it and readings of many targets do not bunch up.
 */
export function nextSample(name: string, timing: SampleTiming, at: Date): { slot: number; runAt: number } {
  const slot = nextObserveSlot(name, timing.everyMs, at);
  return { slot, runAt: slot + (timing.jitterMs > 0 ? hashOf(`${name}/${slot}`) % (timing.jitterMs + 1) : 0) };
}

export interface IdleQueue {
  readonly queue: Queue;
  /** schedules the target's next reading after `at`; a pending one for the same slot makes this a no-op */
  enqueueSample(target: string, timing: SampleTiming, at: Date): Promise<void>;
  enqueueSamples(targets: readonly { name: string; timing: SampleTiming }[], at: Date): Promise<void>;
  enqueueNative(target: string, settings: { idleScaling: boolean; idleTimeoutMinutes: number }): Promise<void>;
  close(): Promise<void>;
}

export function createIdleQueue(options: { connection: ConnectionOptions; prefix: string }): IdleQueue {
  const queue = new Queue(IDLE_QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
  const sampleJob = (target: string, timing: SampleTiming, at: Date) => {
    const { slot, runAt } = nextSample(target, timing, at);
    const data: SamplePayload = { kind: 'sample', target, slot };
    return { name: 'sample', data, opts: { ...SAMPLE_OPTIONS, jobId: sampleJobId(target, slot), delay: Math.max(0, runAt - at.getTime()) } };
  };
  return {
    queue,
    async enqueueSample(target, timing, at) {
      const job = sampleJob(target, timing, at);
      await queue.add(job.name, job.data, job.opts);
    },
    async enqueueSamples(targets, at) {
      for (let i = 0; i < targets.length; i += BATCH) {
        await queue.addBulk(targets.slice(i, i + BATCH).map((target) => sampleJob(target.name, target.timing, at)));
      }
    },
    async enqueueNative(target, settings) {
      const data: NativePayload = { kind: 'native', target };
      await queue.add('native', data, { ...NATIVE_OPTIONS, jobId: nativeJobId(target, settings) });
    },
    close: () => queue.close(),
  };
}
