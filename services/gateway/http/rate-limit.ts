// Token bucket per caller key. Pure apart from the injected clock, so tests drive time explicitly.
export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number; remaining: 0 };

type Bucket = { tokens: number; updatedAt: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    // Bound memory: idle full buckets are forgotten once this many keys exist.
    private readonly maxKeys = 50_000,
  ) {
    if (burst < 1 || perSecond <= 0) throw new Error('rate limit needs burst >= 1 and perSecond > 0');
  }

  take(key: string, cost = 1): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.perSecond);
    bucket.updatedAt = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((cost - bucket.tokens) / this.perSecond));
    return { allowed: false, retryAfterSeconds, remaining: 0 };
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.updatedAt) / 1000) * this.perSecond >= this.burst) this.buckets.delete(key);
    }
    // Everyone is active: drop the oldest rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
