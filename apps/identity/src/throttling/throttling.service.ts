import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import type { IdentityConfig } from '#config';
import { Database } from '#persistence';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { IDENTITY_CONFIG } from '../identity-config.module.js';

export type LimitName = keyof IdentityConfig['limits'];
type RateBudget = IdentityConfig['limits'][LimitName];

/**
 * Every budget is counted in identity's PostgreSQL (rate-limiter-flexible's RateLimiterPostgres),
 * so all identity replicas and all gateway replicas share one count. The per-user request budget
 * is consumed inside the credential check the gateway already makes for every request: one bus
 * hop, no database connection in the gateway, and the gateway keeps no state of its own. If
 * PostgreSQL is down the count fails with the credential check, closed: a 503, never unmetered.
 * The table is rate_limits (see rate-limit.entity.ts).
 */
@Injectable()
export class ThrottlingService {
  private readonly limiters = new Map<LimitName, { budget: RateBudget; limiter: RateLimiterPostgres }>();

  constructor(database: Database, @Inject(IDENTITY_CONFIG) config: IdentityConfig) {
    for (const [name, budget] of Object.entries(config.limits) as [LimitName, RateBudget][]) {
      if (budget.points === 0) continue;
      const limiter = new RateLimiterPostgres({
        // The pool, never the caller's transaction: a count is kept even when the request's work rolls back.
        storeClient: database.dataSource,
        storeType: 'typeorm',
        schemaName: 'identity',
        tableName: 'rate_limits',
        tableCreated: true,
        keyPrefix: name,
        points: budget.points,
        duration: budget.durationSeconds,
      });
      this.limiters.set(name, { budget, limiter });
    }
  }

  /** Counts one hit; throws RATE_LIMITED when it goes over the budget. Returns true when this hit spent the last point. */
  async consume(name: LimitName, key: string): Promise<boolean> {
    const entry = this.limiters.get(name);
    if (!entry) return false;
    try {
      const res = await entry.limiter.consume(storeKey(key));
      return res.consumedPoints === entry.budget.points;
    } catch (err) {
      if (err instanceof RateLimiterRes) throw limited(err.msBeforeNext);
      throw err;
    }
  }

  /** Throws RATE_LIMITED if the budget is already spent, without counting this request. */
  async check(name: LimitName, key: string): Promise<void> {
    const entry = this.limiters.get(name);
    if (!entry) return;
    const res = await entry.limiter.get(storeKey(key));
    if (res && res.consumedPoints >= entry.budget.points) throw limited(res.msBeforeNext);
  }

  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiters.get(name)?.limiter.delete(storeKey(key));
  }
}

/** Keys are stored hashed: an email may be longer than the key column, and the table need not hold addresses or emails. */
function storeKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

function limited(msBeforeNext: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new AppError(ErrorCode.RATE_LIMITED, `too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
}
