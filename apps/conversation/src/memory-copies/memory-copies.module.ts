import { Module } from '@nestjs/common';
import { MemoryCopiesService } from './memory-copies.service.js';

/** The file and in_memory memory backends: fed by message writes, read by memory. */
@Module({ providers: [MemoryCopiesService], exports: [MemoryCopiesService] })
export class MemoryCopiesModule {}
