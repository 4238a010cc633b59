import { Controller } from '@nestjs/common';
import {
  type Actor,
  AuthorizeRequest,
  type AuthorizeReply,
  AuthUrlsRequest,
  type AuthUrlsReply,
  ConnectionContracts,
  ConnectionIdRequest,
  type ConnectionList,
  type ConnectionView,
  Empty,
  ListConnectionsQuery,
  OAuthCallbackRequest,
  type ProviderList,
} from '#contracts';
import { Rpc } from '#messaging';
import { ConnectionsService } from './connections.service.js';

@Controller()
export class ConnectionsHandler {
  constructor(private readonly connections: ConnectionsService) {}

  @Rpc(ConnectionContracts.providers)
  async providers(_request: Empty): Promise<ProviderList> {
    return this.connections.providers();
  }

  @Rpc(ConnectionContracts.authorize)
  authorize(request: AuthorizeRequest, actor: Actor): Promise<AuthorizeReply> {
    return this.connections.authorize(actor, request);
  }

  /** No user: the state is what authenticates the browser coming back. */
  @Rpc(ConnectionContracts.callback)
  callback(request: OAuthCallbackRequest): Promise<ConnectionView> {
    return this.connections.callback(request);
  }

  @Rpc(ConnectionContracts.list)
  list(request: ListConnectionsQuery, actor: Actor): Promise<ConnectionList> {
    return this.connections.list(actor, request);
  }

  @Rpc(ConnectionContracts.delete)
  async delete(request: ConnectionIdRequest, actor: Actor): Promise<Empty> {
    await this.connections.delete(actor, request.id);
    return {};
  }

  @Rpc(ConnectionContracts.authUrls)
  authUrls(request: AuthUrlsRequest, actor: Actor): Promise<AuthUrlsReply> {
    return this.connections.authUrls(actor, request);
  }
}
