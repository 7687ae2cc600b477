export interface RetryDelayOptions {
  /** The ceiling of the first retry's delay; each later one doubles it. */
  baseMs: number;
  /** No delay is longer, however many attempts failed. */
  maxMs: number;
  /** A number in [0, 1), as Math.random gives. */
  random: () => number;
}

/**
 * How long to wait before the next attempt, after attempt `attempt` (counted from 1) failed:
 * exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
 * `random(0, min(maxMs, baseMs × 2^(attempt − 1)))`. Full jitter spreads the retries of many
 * targets throttled at once, which makes the fewest calls in total of the blog's variants.
 */
export function retryDelayMs(attempt: number, options: RetryDelayOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt is counted from 1, got ${attempt}`);
  const { baseMs, maxMs, random } = options;
  if (!(baseMs > 0) || !(maxMs >= baseMs))
    throw new RangeError(`need 0 < baseMs <= maxMs, got baseMs ${baseMs}, maxMs ${maxMs}`);
  // 2 ** 1100 is Infinity, and Math.min makes it maxMs: no overflow for a large attempt.
  const ceilingMs = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceilingMs);
}
