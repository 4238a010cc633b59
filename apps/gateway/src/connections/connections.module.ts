import { Module } from '@nestjs/common';
import { ConnectionsController } from './connections.controller.js';

/** /connections: OAuth connections. */
@Module({ controllers: [ConnectionsController] })
export class ConnectionsModule {}
