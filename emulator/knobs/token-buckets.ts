/**
 * AWS-style token buckets, one per key: each holds `burst` tokens and refills continuously at
 * `ratePerSecond`; a call takes one token or is throttled.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  take(key: string, ratePerSecond: number, burst: number, nowMs: number): boolean {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: burst, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(
      burst,
      bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * ratePerSecond,
    );
    bucket.updatedMs = nowMs;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  clear(): void {
    this.buckets.clear();
  }
}
