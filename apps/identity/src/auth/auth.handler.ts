import { Controller } from '@nestjs/common';
import { type Actor, ChangePasswordCommand, Empty, IdentityContracts, LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest, type SessionReply } from '#contracts';
import { Rpc } from '#messaging';
import { AuthService } from './auth.service.js';

@Controller()
export class AuthHandler {
  constructor(private readonly auth: AuthService) {}

  @Rpc(IdentityContracts.register)
  register(request: RegisterRequest, actor: Actor): Promise<SessionReply> {
    return this.auth.register(request, actor);
  }

  @Rpc(IdentityContracts.login)
  login(request: LoginRequest, actor: Actor): Promise<SessionReply> {
    return this.auth.login(request, actor);
  }

  @Rpc(IdentityContracts.refresh)
  refresh(request: RefreshRequest, actor: Actor): Promise<SessionReply> {
    return this.auth.refresh(request.refreshToken, actor);
  }

  @Rpc(IdentityContracts.logout)
  async logout(request: LogoutRequest): Promise<Empty> {
    await this.auth.logout(request.refreshToken);
    return {};
  }

  @Rpc(IdentityContracts.changePassword)
  async changePassword(command: ChangePasswordCommand, actor: Actor): Promise<Empty> {
    await this.auth.changePassword(command, actor);
    return {};
  }
}
