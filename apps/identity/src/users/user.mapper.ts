import type { ProfileView } from '#contracts';
import type { UserEntity } from './user.entity.js';

/** Every reply that shows a user shows the same fields (a ProfileView is a UserView plus the username). */
export function toUserView(user: UserEntity): ProfileView {
  return { id: user.id, email: user.email, name: user.name, username: user.username ?? null, isSuperuser: user.isSuperuser, createdAt: user.createdAt.toISOString() };
}
