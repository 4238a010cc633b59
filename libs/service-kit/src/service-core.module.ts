import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '#config';
import { BROADCAST, BUS_CLIENT, Outbox } from '#messaging';
import type { DataSource } from 'typeorm';
import type { Runtime } from './runtime.js';
import { DATA_SOURCE, OUTBOX } from './tokens.js';

/** The process-level things a service's feature modules inject: database, bus client, outbox, broadcast. */
@Global()
@Module({})
export class ServiceCoreModule {
  static forService(schema: string, dataSource: DataSource, runtime: Runtime): DynamicModule {
    return {
      module: ServiceCoreModule,
      imports: [ConfigModule.forRoot(runtime.config)],
      providers: [
        { provide: DATA_SOURCE, useValue: dataSource },
        { provide: BUS_CLIENT, useValue: runtime.client },
        { provide: OUTBOX, useValue: new Outbox(schema) },
        { provide: BROADCAST, useValue: runtime.createBroadcast() },
      ],
      exports: [DATA_SOURCE, BUS_CLIENT, OUTBOX, BROADCAST, ConfigModule],
    };
  }
}
