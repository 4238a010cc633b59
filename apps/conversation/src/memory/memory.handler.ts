import { Controller } from '@nestjs/common';
import { type Actor, type Empty, MemoryContracts, type MemoryReply, MemoryRequest, WriteSummaryRequest } from '#contracts';
import { Rpc } from '#messaging';
import { MemoryService } from './memory.service.js';

@Controller()
export class MemoryHandler {
  constructor(private readonly memory: MemoryService) {}

  @Rpc(MemoryContracts.get)
  get(request: MemoryRequest, actor: Actor): Promise<MemoryReply> {
    return this.memory.get(actor, request);
  }

  @Rpc(MemoryContracts.writeSummary)
  async writeSummary(request: WriteSummaryRequest, actor: Actor): Promise<Empty> {
    await this.memory.writeSummary(actor, request);
    return {};
  }
}
