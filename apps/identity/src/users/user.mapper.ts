import type { UserView } from '#contracts';
import type { UserEntity } from './user.entity.js';

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, name: user.name, isSuperuser: user.isSuperuser, createdAt: user.createdAt.toISOString() };
}
