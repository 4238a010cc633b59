import { Controller } from '@nestjs/common';
import { AccountContracts, type Actor, ChangeEmailRequest, Empty, IdentityContracts, type ProfileView, UpdateProfileRequest } from '#contracts';
import { Rpc } from '#messaging';
import { UsersService } from './users.service.js';

@Controller()
export class UsersHandler {
  constructor(private readonly users: UsersService) {}

  @Rpc(IdentityContracts.getMe)
  getMe(_: Empty, actor: Actor): Promise<ProfileView> {
    return this.users.getMe(actor);
  }

  @Rpc(AccountContracts.updateProfile)
  updateProfile(request: UpdateProfileRequest, actor: Actor): Promise<ProfileView> {
    return this.users.updateProfile(actor, request);
  }

  @Rpc(AccountContracts.changeEmail)
  changeEmail(request: ChangeEmailRequest, actor: Actor): Promise<ProfileView> {
    return this.users.changeEmail(actor, request);
  }

  @Rpc(IdentityContracts.deleteMe)
  async deleteMe(_: Empty, actor: Actor): Promise<Empty> {
    await this.users.deleteMe(actor);
    return {};
  }
}
