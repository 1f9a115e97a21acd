import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses the config's duration notation (`10s`, `30m`, `2h`, `1d`, `250ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const match = PATTERN.exec(text.trim());
  if (!match) throw new Error(`invalid duration "${text}" (write it as 10s, 30m, 2h or 1d)`);
  return Math.round(Number(match[1]) * UNITS[match[2]!]!);
}

/** Shortest exact rendering, so reasons and plans read `60m`, not `3600000`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  if (ms >= 1_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  return `${ms}ms`;
}

/** zod type for a duration field: accepts `30m` (or a bare number of milliseconds) and yields ms. */
export const durationSchema = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
