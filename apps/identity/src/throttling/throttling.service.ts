import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode, type RequestBudgetLease } from '#contracts';
import type { IdentityConfig } from '#config';
import { Database } from '#persistence';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { IDENTITY_CONFIG } from '../identity-config.module.js';

/** A lease takes at most this share of what is left of a budget. */
const LEASE_SHARE = 16;
/** How long a lease of an unmetered budget (turned off) lasts before the gateway asks again. */
const UNMETERED_LEASE_MS = 60_000;

export type LimitName = keyof IdentityConfig['limits'];
type RateBudget = IdentityConfig['limits'][LimitName];

/**
 * Every budget is counted in identity's PostgreSQL (rate-limiter-flexible's RateLimiterPostgres),
 * so all identity replicas and all gateway replicas share one count. The per-user request budget
 * is counted inside the credential check the gateway makes (lease(): the gateway replica takes
 * a share of the budget in advance and asks again when it is spent), so the count costs no hop
 * of its own and no database connection in the gateway. If
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

  /**
   * Counts one hit like consume() and, when the budget has room, takes a share of what is left
   * in advance (at most `max` in all, at most 1/LEASE_SHARE of the rest, so that replicas asking
   * in turn all find some): the caller spends it without asking again until the window ends.
   * Points taken and not spent are gone, so a user can be refused a little before the whole
   * budget was used, never after. Refused: BudgetRefused.
   */
  async lease(name: LimitName, key: string, max: number): Promise<RequestBudgetLease> {
    const entry = this.limiters.get(name);
    if (!entry) return { granted: max, resetsInMs: UNMETERED_LEASE_MS };
    const storeKeyOf = storeKey(key);
    let first: RateLimiterRes;
    try {
      first = await entry.limiter.consume(storeKeyOf);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new BudgetRefused(err.msBeforeNext, err.consumedPoints === entry.budget.points + 1);
      throw err;
    }
    const extra = Math.min(max - 1, Math.floor(first.remainingPoints / LEASE_SHARE));
    if (extra <= 0) return { granted: 1, resetsInMs: first.msBeforeNext };
    try {
      const more = await entry.limiter.consume(storeKeyOf, extra);
      return { granted: 1 + extra, resetsInMs: more.msBeforeNext };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // Others took the rest meanwhile: give the share back; this hit was counted already.
      await entry.limiter.reward(storeKeyOf, extra);
      return { granted: 1, resetsInMs: first.msBeforeNext };
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
  const retryAfterSeconds = retryAfter(msBeforeNext);
  return new AppError(ErrorCode.RATE_LIMITED, `too many requests; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
}

function retryAfter(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}

/** RATE_LIMITED from lease(); `first`: this hit is the one that found the budget spent (the rest of the window's refusals follow it). */
export class BudgetRefused extends AppError {
  constructor(
    msBeforeNext: number,
    readonly first: boolean,
  ) {
    super(ErrorCode.RATE_LIMITED, `too many requests; retry in ${retryAfter(msBeforeNext)} s`, { retryAfterSeconds: retryAfter(msBeforeNext) });
  }
}
