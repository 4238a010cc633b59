import { type Actor, AppError, ErrorCode } from '#contracts';

/** Everything in this service belongs to a user: the signed-in user is the owner. */
export function requireUserId(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId) throw new AppError(ErrorCode.UNAUTHENTICATED, 'this operation needs a signed-in user');
  return actor.userId;
}
