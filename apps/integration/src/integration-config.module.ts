import { Global, Module } from '@nestjs/common';
import { loadIntegrationConfig, PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { OutboundPolicy } from '#outbound';

export const INTEGRATION_CONFIG = Symbol('INTEGRATION_CONFIG');

/**
 * The integration service's settings, and the one outbound policy every call to an address a user
 * supplied goes through (MCP servers, HTTP tools, OAuth providers are the operator's and do not).
 */
@Global()
@Module({
  providers: [
    { provide: INTEGRATION_CONFIG, useFactory: () => loadIntegrationConfig() },
    { provide: OutboundPolicy, inject: [PLATFORM_CONFIG], useFactory: (platform: PlatformConfig) => new OutboundPolicy(platform.outbound) },
  ],
  exports: [INTEGRATION_CONFIG, OutboundPolicy],
})
export class IntegrationConfigModule {}
