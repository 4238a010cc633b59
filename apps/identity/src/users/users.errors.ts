import { AppError, ErrorCode } from '#contracts';

export const UsersErrors = {
  emailTaken: () => new AppError(ErrorCode.CONFLICT, 'an account with this email already exists', { field: 'email' }),
  usernameTaken: () => new AppError(ErrorCode.CONFLICT, 'this username is taken', { field: 'username' }),
  externalIdentityTaken: () => new AppError(ErrorCode.CONFLICT, 'this external identity is already linked to another account'),
  accountGone: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account no longer exists'),
  /** A validation failure on `password`, not a 401: the caller's session is fine, the proof is not. */
  wrongPassword: () => new AppError(ErrorCode.VALIDATION_FAILED, 'request is invalid', { errors: [{ field: 'password', problems: ['password is incorrect'] }] }),
};
