import { Controller } from '@nestjs/common';
import {
  type Actor,
  CreateHttpToolRequest,
  type Empty,
  HttpToolContracts,
  HttpToolIdRequest,
  type HttpToolList,
  type HttpToolView,
  ListHttpToolsQuery,
  UpdateHttpToolRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { ToolRegistryService } from './tool-registry.service.js';

@Controller()
export class ToolRegistryHandler {
  constructor(private readonly tools: ToolRegistryService) {}

  @Rpc(HttpToolContracts.create)
  create(request: CreateHttpToolRequest, actor: Actor): Promise<HttpToolView> {
    return this.tools.create(actor, request);
  }

  @Rpc(HttpToolContracts.list)
  list(request: ListHttpToolsQuery, actor: Actor): Promise<HttpToolList> {
    return this.tools.list(actor, request);
  }

  @Rpc(HttpToolContracts.get)
  get(request: HttpToolIdRequest, actor: Actor): Promise<HttpToolView> {
    return this.tools.get(actor, request.id);
  }

  @Rpc(HttpToolContracts.update)
  update(request: UpdateHttpToolRequest, actor: Actor): Promise<HttpToolView> {
    return this.tools.update(actor, request);
  }

  @Rpc(HttpToolContracts.delete)
  async delete(request: HttpToolIdRequest, actor: Actor): Promise<Empty> {
    await this.tools.delete(actor, request.id);
    return {};
  }
}
