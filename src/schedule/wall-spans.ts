import type { WallTime } from './zoned-time.ts';

/** A stretch of wall time [start, end); either end may be infinite (`from T`, `until T`). */
export interface WallSpan {
  /** the entry as written, used in reasons: `except 2026-12-25`, `uptime 2026-12-24T00:00:00Z-...` */
  readonly text: string;
  readonly start: WallTime;
  readonly end: WallTime;
}

export interface WallSpans<T extends WallSpan> {
  readonly size: number;
  /** every span covering `wall`, in the order they start */
  covering(wall: WallTime): T[];
  /** the first wall time after `wall` where a span begins or ends, or Infinity */
  boundaryAfter(wall: WallTime): WallTime;
}

/**
 * A set of possibly overlapping spans, searched by bisection: calendars expand recurring holidays
 * into hundreds of spans, and every schedule edge asks about them.
 */
export function wallSpans<T extends WallSpan>(spans: readonly T[]): WallSpans<T> {
  const sorted = spans.filter((span) => span.end > span.start).sort((a, b) => a.start - b.start || a.end - b.end);
  // maxEnd[i]: the latest end among sorted[0..i], so a backwards scan knows when to stop
  const maxEnd: number[] = [];
  for (const [index, span] of sorted.entries()) maxEnd.push(Math.max(span.end, index > 0 ? maxEnd[index - 1]! : -Infinity));

  /** index of the first span that starts after `wall` */
  const firstAfter = (wall: WallTime): number => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sorted[mid]!.start > wall) high = mid;
      else low = mid + 1;
    }
    return low;
  };

  return {
    size: sorted.length,
    covering(wall) {
      const found: T[] = [];
      for (let i = firstAfter(wall) - 1; i >= 0 && maxEnd[i]! > wall; i--) {
        if (sorted[i]!.end > wall) found.push(sorted[i]!);
      }
      return found.reverse();
    },
    boundaryAfter(wall) {
      const index = firstAfter(wall);
      let next = index < sorted.length ? sorted[index]!.start : Infinity;
      for (let i = index - 1; i >= 0 && maxEnd[i]! > wall; i--) {
        const end = sorted[i]!.end;
        if (end > wall && end < next) next = end;
      }
      return next;
    },
  };
}
