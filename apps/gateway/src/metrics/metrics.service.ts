import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { AppError, ErrorCode } from '#contracts';
import { Metrics } from '#observability';

/** The process's Prometheus registry as text; behind METRICS_TOKEN when the operator set one. */
@Injectable()
export class MetricsService {
  private readonly token: Buffer | undefined;

  constructor(@Inject(PLATFORM_CONFIG) config: PlatformConfig) {
    this.token = config.metricsToken === undefined ? undefined : Buffer.from(`Bearer ${config.metricsToken}`);
    Metrics.enableProcessMetrics();
  }

  async scrape(authorization: string | undefined): Promise<{ contentType: string; text: string }> {
    if (this.token && !matches(this.token, authorization)) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"');
    }
    return { contentType: Metrics.contentType, text: await Metrics.text() };
  }
}

function matches(expected: Buffer, presented: string | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
