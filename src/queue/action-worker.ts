import { Worker, type ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import { QUEUE_NAME } from './action-queue.ts';
import type { ProcessResult } from './action-processor.ts';
import type { Job } from 'bullmq';

export interface ActionWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  processor: (job: Job, token?: string) => Promise<ProcessResult>;
  logger: Logger;
  /** jobs run at once; each holds its target's lock, so this bounds concurrent provider calls */
  concurrency?: number;
  onFailed?: (job: Job | undefined, error: Error) => void;
}

/** 2 s doubling per attempt up to 5 minutes, with ±50% jitter so retries of many targets spread out. */
export function cappedBackoff(attemptsMade: number): number {
  const base = Math.min(300_000, 2_000 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(base * (0.5 + Math.random()));
}

/** The BullMQ worker around the processor. Stalled jobs (a replica died mid-job) are retried by BullMQ. */
export function createActionWorker(options: ActionWorkerOptions): Worker {
  const worker = new Worker(QUEUE_NAME, options.processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? 32,
    autorun: false,
    // a job lives through many deferrals and verify rounds; one stall (a replica killed) per round is
    // normal and must not fail the decision
    maxStalledCount: 10,
    // a job whose process died (kill -9, a lost node) is handed to another worker within ~25 s; a live
    // worker renews its lock every lockDuration/2, so long provider calls keep theirs
    lockDuration: 15_000,
    stalledInterval: 10_000,
    settings: { backoffStrategy: cappedBackoff },
  });
  worker.on('failed', (job, error) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    options.logger[final ? 'error' : 'warn']({ job: job?.id, err: error.message, attempts: job?.attemptsMade }, final ? 'job failed for good' : 'job failed, will retry');
    if (final) options.onFailed?.(job, error);
  });
  worker.on('error', (error) => options.logger.warn({ err: error.message }, 'worker error'));
  return worker;
}
