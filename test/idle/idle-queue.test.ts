import { describe, expect, it } from 'vitest';
import { nextSample } from '../../src/idle/idle-queue.ts';
import { nativeJobId, sampleJobId } from '../../src/idle/idle-payloads.ts';

describe('nextSample', () => {
  const timing = { everyMs: 60_000, jitterMs: 6_000 };

  it('is a slot on the target grid strictly after `at`, run with a jitter every replica agrees on', () => {
    const at = new Date('2026-11-23T09:00:30Z');
    const first = nextSample('broker', timing, at);
    expect(first.slot).toBeGreaterThan(at.getTime());
    expect(first.slot - at.getTime()).toBeLessThanOrEqual(60_000);
    expect(first.runAt - first.slot).toBeGreaterThanOrEqual(0);
    expect(first.runAt - first.slot).toBeLessThanOrEqual(6_000);
    expect(nextSample('broker', timing, at)).toEqual(first);
    // the job that ran at its jittered instant schedules the following slot, not the same one
    expect(nextSample('broker', timing, new Date(first.runAt)).slot).toBe(first.slot + 60_000);
  });

  it('spreads targets and slots over the jitter', () => {
    const at = new Date('2026-11-23T09:00:00Z');
    const jitters = Array.from({ length: 50 }, (_, i) => {
      const sample = nextSample(`db-${i}`, timing, at);
      return sample.runAt - sample.slot;
    });
    expect(new Set(jitters).size).toBeGreaterThan(40);
    expect(nextSample('db', { everyMs: 60_000, jitterMs: 0 }, at).runAt).toBe(nextSample('db', { everyMs: 60_000, jitterMs: 0 }, at).slot);
  });
});

describe('idle job ids', () => {
  it('are deterministic and keep `:` out (BullMQ reserves it)', () => {
    expect(sampleJobId('broker', 1_795_000_000_000)).toBe('sample/broker/1795000000000');
    expect(nativeJobId('ch', { idleScaling: true, idleTimeoutMinutes: 15 })).toBe('native/ch/15');
    expect(nativeJobId('ch', { idleScaling: false, idleTimeoutMinutes: 15 })).toBe('native/ch/off');
  });
});
