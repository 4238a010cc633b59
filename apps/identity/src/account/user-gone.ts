import { UsersErrors } from '../users/users.errors.js';

/** Foreign keys from account tables to identity.users (see the IdentityAccount migration). */
const USER_FOREIGN_KEYS = new Set(['user_settings_user_id_fkey', 'provider_keys_user_id_fkey', 'projects_owner_id_fkey', 'notifications_user_id_fkey']);

/**
 * A write for a user whose account was deleted after their access token was issued fails on the
 * foreign key; that is the account being gone (401), not an internal error.
 */
export function rethrowUserGone(err: unknown): never {
  const inner = (typeof err === 'object' && err !== null && 'driverError' in err ? (err as { driverError: unknown }).driverError : err) as { code?: unknown; constraint?: unknown } | null;
  if (inner && inner.code === '23503' && typeof inner.constraint === 'string' && USER_FOREIGN_KEYS.has(inner.constraint)) throw UsersErrors.accountGone();
  throw err;
}
