import { Controller } from '@nestjs/common';
import { type Actor, Empty, IdentityContracts, type UserView } from '#contracts';
import { Rpc } from '#messaging';
import { UsersService } from './users.service.js';

@Controller()
export class UsersHandler {
  constructor(private readonly users: UsersService) {}

  @Rpc(IdentityContracts.getMe)
  getMe(_: Empty, actor: Actor): Promise<UserView> {
    return this.users.getMe(actor);
  }

  @Rpc(IdentityContracts.deleteMe)
  async deleteMe(_: Empty, actor: Actor): Promise<Empty> {
    await this.users.deleteMe(actor);
    return {};
  }
}
