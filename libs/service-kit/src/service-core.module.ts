import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '#config';
import { BROADCAST, BUS_CLIENT, type Outbox } from '#messaging';
import { Database } from '#persistence';
import type { Runtime } from './runtime.js';
import { OUTBOX } from './tokens.js';

/** The process-level things a service's feature modules inject: the Database, bus client, outbox, broadcast. */
@Global()
@Module({})
export class ServiceCoreModule {
  static forService(schema: string, database: Database, runtime: Runtime, outbox: Outbox): DynamicModule {
    return {
      module: ServiceCoreModule,
      imports: [ConfigModule.forRoot(runtime.config)],
      providers: [
        { provide: Database, useValue: database },
        { provide: BUS_CLIENT, useValue: runtime.clientFor(schema) },
        { provide: OUTBOX, useValue: outbox },
        { provide: BROADCAST, useValue: runtime.createBroadcast(schema) },
      ],
      exports: [Database, BUS_CLIENT, OUTBOX, BROADCAST, ConfigModule],
    };
  }
}
