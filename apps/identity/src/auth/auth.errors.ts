import { AppError, ErrorCode } from '#contracts';

export const AuthErrors = {
  /** One message for unknown email and wrong password, so the reply does not reveal which. */
  badCredentials: () => new AppError(ErrorCode.UNAUTHENTICATED, 'email or password is incorrect'),
  wrongCurrentPassword: () =>
    new AppError(ErrorCode.VALIDATION_FAILED, 'the current password is incorrect', { errors: [{ field: 'currentPassword', problems: ['currentPassword is incorrect'] }] }),
  needsSession: () => new AppError(ErrorCode.FORBIDDEN, 'changing the password needs a signed-in session, not an API key'),
  noPassword: () => new AppError(ErrorCode.CONFLICT, 'this account signs in through its identity provider and has no password here'),
  badRefreshToken: () => new AppError(ErrorCode.UNAUTHENTICATED, 'refresh token is invalid, expired or already used'),
  inactive: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account is not active'),
  sessionEnded: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this session has ended; sign in again'),
};
