import { type Actor, AppError, ErrorCode } from '#contracts';

/** Conversations belong to a user: the signed-in user is the owner. */
export function requireUserId(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId) throw new AppError(ErrorCode.UNAUTHENTICATED, 'this operation needs a signed-in user');
  return actor.userId;
}

/** Writes from runs and memory reads are the execution service's alone; users reach them through runs. */
export function requireExecutionService(actor: Actor): void {
  if (actor.kind !== 'service' || actor.service !== 'execution') throw new AppError(ErrorCode.FORBIDDEN, 'only the execution service may call this');
}
