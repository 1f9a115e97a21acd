import { describe, expect, it } from 'vitest';
import { wallSpans } from '../../src/schedule/wall-spans.ts';

describe('wallSpans', () => {
  const spans = wallSpans([
    { text: 'long', start: 0, end: 100 },
    { text: 'inner', start: 10, end: 20 },
    { text: 'later', start: 150, end: 160 },
    { text: 'open end', start: 500, end: Infinity },
    { text: 'open start', start: -Infinity, end: -50 },
    { text: 'empty', start: 30, end: 30 },
  ]);

  it('finds every span covering a wall time, [start, end)', () => {
    expect(spans.covering(15).map((span) => span.text)).toEqual(['long', 'inner']);
    expect(spans.covering(20).map((span) => span.text)).toEqual(['long']);
    expect(spans.covering(100)).toEqual([]);
    expect(spans.covering(-1e12).map((span) => span.text)).toEqual(['open start']);
    expect(spans.covering(1e12).map((span) => span.text)).toEqual(['open end']);
    expect(spans.covering(30).map((span) => span.text)).toEqual(['long']);
  });

  it('finds the next boundary of any span', () => {
    expect([-1e12, -50, 0, 10, 20, 100, 150, 160, 500].map((wall) => spans.boundaryAfter(wall))).toEqual([-50, 0, 10, 20, 100, 150, 160, 500, Infinity]);
    expect(spans.size).toBe(5);
  });
});
