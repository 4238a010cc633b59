import { Module, RequestMethod } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

/** Served at the root (/metrics), where scrapers look, not under the API prefix. */
export const METRICS_ROUTES = [{ path: 'metrics', method: RequestMethod.GET }];

/** GET /metrics: the gateway process's Prometheus registry (in single-process mode, every service's too). */
@Module({ controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
