import { type Actor, AppError, ErrorCode } from '#contracts';

export const AdminErrors = {
  notSuperuser: () => new AppError(ErrorCode.FORBIDDEN, 'this needs a superuser'),
  userNotFound: () => AppError.notFound('user'),
  settingNotFound: () => AppError.notFound('system setting'),
  notOnYourself: () => new AppError(ErrorCode.CONFLICT, 'you cannot deactivate or demote your own account; ask another superuser'),
};

/**
 * Checked again here although the gateway checks too: the bus is reachable by every service,
 * and the actor's isSuperuser was read from the database by the credential check of this request.
 */
export function requireSuperuser(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId || actor.isSuperuser !== true) throw AdminErrors.notSuperuser();
  return actor.userId;
}
