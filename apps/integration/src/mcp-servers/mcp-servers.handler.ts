import { Controller } from '@nestjs/common';
import {
  type Actor,
  CreateMcpServerRequest,
  type Empty,
  ListMcpServersQuery,
  type McpCheckReply,
  McpCredentialsRequest,
  McpServerContracts,
  McpServerIdRequest,
  type McpServerList,
  type McpServerView,
  type McpToolList,
  UpdateMcpServerRequest,
} from '#contracts';
import { Rpc } from '#messaging';
import { McpServersService } from './mcp-servers.service.js';

@Controller()
export class McpServersHandler {
  constructor(private readonly servers: McpServersService) {}

  @Rpc(McpServerContracts.create)
  create(request: CreateMcpServerRequest, actor: Actor): Promise<McpServerView> {
    return this.servers.create(actor, request);
  }

  @Rpc(McpServerContracts.list)
  list(request: ListMcpServersQuery, actor: Actor): Promise<McpServerList> {
    return this.servers.list(actor, request);
  }

  @Rpc(McpServerContracts.get)
  get(request: McpServerIdRequest, actor: Actor): Promise<McpServerView> {
    return this.servers.get(actor, request.id);
  }

  @Rpc(McpServerContracts.update)
  update(request: UpdateMcpServerRequest, actor: Actor): Promise<McpServerView> {
    return this.servers.update(actor, request);
  }

  @Rpc(McpServerContracts.delete)
  async delete(request: McpServerIdRequest, actor: Actor): Promise<Empty> {
    await this.servers.delete(actor, request.id);
    return {};
  }

  @Rpc(McpServerContracts.check)
  check(request: McpServerIdRequest, actor: Actor): Promise<McpCheckReply> {
    return this.servers.check(actor, request.id);
  }

  @Rpc(McpServerContracts.tools)
  tools(request: McpServerIdRequest, actor: Actor): Promise<McpToolList> {
    return this.servers.tools(actor, request.id);
  }

  @Rpc(McpServerContracts.setCredentials)
  setCredentials(request: McpCredentialsRequest, actor: Actor): Promise<McpServerView> {
    return this.servers.setCredentials(actor, request);
  }
}
