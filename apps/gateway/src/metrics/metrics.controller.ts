import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ProblemResponses } from '../http/openapi.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('ops')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this gateway process',
    description: 'The Prometheus text format. Open unless METRICS_TOKEN is set; then send it as a Bearer token (not an API key).',
    security: [],
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Metrics in the Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ProblemResponses(401)
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { contentType, text } = await this.metrics.scrape(authorization);
    void reply.header('content-type', contentType);
    return text;
  }
}
