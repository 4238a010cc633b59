import { Controller } from '@nestjs/common';
import {
  type Actor,
  type AvailableToolList,
  CallToolRequest,
  type CallToolReply,
  CheckToolRefsRequest,
  type CheckToolRefsReply,
  Empty,
  HttpToolContracts,
  ResolveToolsRequest,
  type ResolveToolsReply,
  ToolCallContracts,
  ToolRefContracts,
} from '#contracts';
import { Rpc } from '#messaging';
import { ToolCatalogService } from './tool-catalog.service.js';

@Controller()
export class ToolCatalogHandler {
  constructor(private readonly catalog: ToolCatalogService) {}

  @Rpc(ToolRefContracts.check)
  check(request: CheckToolRefsRequest, actor: Actor): Promise<CheckToolRefsReply> {
    return this.catalog.check(actor, request);
  }

  @Rpc(HttpToolContracts.available)
  available(_request: Empty, actor: Actor): Promise<AvailableToolList> {
    return this.catalog.available(actor);
  }

  @Rpc(ToolCallContracts.resolve)
  resolve(request: ResolveToolsRequest, actor: Actor): Promise<ResolveToolsReply> {
    return this.catalog.resolve(actor, request);
  }

  @Rpc(ToolCallContracts.call)
  call(request: CallToolRequest, actor: Actor): Promise<CallToolReply> {
    return this.catalog.call(actor, request);
  }
}
