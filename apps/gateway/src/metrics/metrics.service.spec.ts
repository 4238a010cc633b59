import { loadConfig } from '#config';
import { AppError, ErrorCode } from '#contracts';
import { MetricsService } from './metrics.service.js';

describe('the gateway /metrics access', () => {
  it('is open when METRICS_TOKEN is unset', async () => {
    const scraped = await new MetricsService(loadConfig({})).scrape(undefined);
    expect(scraped.contentType).toMatch(/^text\/plain/);
    expect(scraped.text).toContain('# TYPE http_server_request_duration_seconds histogram');
  });

  it('asks for the token as a Bearer credential when METRICS_TOKEN is set, and refuses anything else as UNAUTHENTICATED', async () => {
    const service = new MetricsService(loadConfig({ METRICS_TOKEN: 'scrape-secret-1' }));
    for (const presented of [undefined, '', 'scrape-secret-1', 'Bearer scrape-secret-2', 'Bearer scrape-secret-1 ', 'Basic scrape-secret-1']) {
      const failure = await service.scrape(presented).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).code).toBe(ErrorCode.UNAUTHENTICATED);
      expect((failure as AppError).message).not.toContain('scrape-secret');
    }
    expect((await service.scrape('Bearer scrape-secret-1')).text).toContain('# HELP');
  });
});
