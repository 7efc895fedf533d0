/**
 * A token bucket: up to `capacity` at once, refilled at `refillPerMs`. Used for Meta's throughput
 * limits: 80 messages/s per business number, and the pair limit of about one message every 6 s
 * per customer with a burst allowance.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerMs: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.updatedAt = nowMs;
  }

  /** Takes one token and returns 0, or returns how many ms until one is available. */
  take(nowMs: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + (nowMs - this.updatedAt) * this.refillPerMs);
    this.updatedAt = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / this.refillPerMs);
  }

  /** Whether it has refilled completely by `nowMs`, and so is the same as a new bucket. */
  isFull(nowMs: number): boolean {
    return this.tokens + (nowMs - this.updatedAt) * this.refillPerMs >= this.capacity;
  }
}
