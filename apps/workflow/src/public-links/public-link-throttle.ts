import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import type { WorkflowConfig } from '#config';
import { Database } from '#persistence';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { WORKFLOW_CONFIG } from '../workflow-config.module.js';

/**
 * The budgets of public runs, counted in this service's PostgreSQL (rate-limiter-flexible's
 * RateLimiterPostgres, table workflow.rate_limits) so every replica shares one count: per client
 * address across all links, and per link across all callers (each link has its own budget, so
 * there is one limiter per distinct budget).
 */
@Injectable()
export class PublicLinkThrottle {
  private readonly perLink = new Map<number, RateLimiterPostgres>();
  private readonly perAddress: RateLimiterPostgres | undefined;

  constructor(
    private readonly database: Database,
    @Inject(WORKFLOW_CONFIG) config: WorkflowConfig,
  ) {
    this.perAddress = config.publicRunsPerAddressPerMinute > 0 ? this.limiter('public-address', config.publicRunsPerAddressPerMinute) : undefined;
  }

  /** Counts one run for the address, then for the link; RATE_LIMITED names which budget is spent. */
  async consume(linkId: string, runsPerMinute: number, address: string | undefined): Promise<void> {
    if (this.perAddress) await spend(this.perAddress, address ?? 'unknown', 'runs from your address');
    let limiter = this.perLink.get(runsPerMinute);
    if (!limiter) {
      limiter = this.limiter(`public-link-${runsPerMinute}`, runsPerMinute);
      this.perLink.set(runsPerMinute, limiter);
    }
    await spend(limiter, linkId, 'runs of this link');
  }

  private limiter(keyPrefix: string, points: number): RateLimiterPostgres {
    return new RateLimiterPostgres({
      // The pool, never the caller's transaction: a count stays counted whatever the run does.
      storeClient: this.database.dataSource,
      storeType: 'typeorm',
      schemaName: 'workflow',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix,
      points,
      duration: 60,
    });
  }
}

async function spend(limiter: RateLimiterPostgres, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(createHash('sha256').update(key).digest('base64url'));
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const retryAfterSeconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    throw new AppError(ErrorCode.RATE_LIMITED, `too many ${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}
