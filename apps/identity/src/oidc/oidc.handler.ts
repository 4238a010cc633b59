import { Controller } from '@nestjs/common';
import { AccessContracts, type Actor, Empty, OidcCallbackRequest, type OidcLoginReply, type SessionReply } from '#contracts';
import { Rpc } from '#messaging';
import { OidcService } from './oidc.service.js';

@Controller()
export class OidcHandler {
  constructor(private readonly oidc: OidcService) {}

  @Rpc(AccessContracts.oidcLogin)
  login(_: Empty): Promise<OidcLoginReply> {
    return this.oidc.login();
  }

  @Rpc(AccessContracts.oidcCallback)
  callback(request: OidcCallbackRequest, actor: Actor): Promise<SessionReply> {
    return this.oidc.callback(request, actor);
  }
}
