import { AppError, ErrorCode } from '#contracts';

export const AuthErrors = {
  /** One message for unknown email and wrong password, so the reply does not reveal which. */
  badCredentials: () => new AppError(ErrorCode.UNAUTHENTICATED, 'email or password is incorrect'),
  badRefreshToken: () => new AppError(ErrorCode.UNAUTHENTICATED, 'refresh token is invalid, expired or already used'),
};
