import type { SharedLoginThrottles } from '@citylink/store';
import { RateLimiterRes } from 'rate-limiter-flexible';

/** What the sign-in limits need of a limiter (`RateLimiterMemory` has it too). */
export interface Limiter {
  consume(key: string): Promise<unknown>;
  reward(key: string, points: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/**
 * A sign-in limit held in the database that several hub processes share (store:
 * login-throttle.ts), so that N processes together allow `points` attempts per window,
 * not N times that. Refuses as `RateLimiterMemory` does: by throwing a `RateLimiterRes`.
 */
export class SharedLimiter implements Limiter {
  constructor(
    private readonly throttles: SharedLoginThrottles,
    private readonly name: string,
    private readonly points: number,
    private readonly durationMs: number,
  ) {}

  async consume(key: string): Promise<void> {
    const taken = await this.throttles.take(`${this.name}:${key}`, this.durationMs);
    if (taken.points > this.points) {
      throw new RateLimiterRes(0, Math.max(0, taken.expiresAt.getTime() - Date.now()), taken.points);
    }
  }

  reward(key: string, points: number): Promise<void> {
    return this.throttles.give(`${this.name}:${key}`, points);
  }

  delete(key: string): Promise<void> {
    return this.throttles.clear(`${this.name}:${key}`);
  }
}
