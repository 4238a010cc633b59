import { AppError, ErrorCode } from '#contracts';

export const ApiKeysErrors = {
  notFound: () => AppError.notFound('API key'),
  tooMany: (max: number) => new AppError(ErrorCode.CONFLICT, `at most ${max} live API keys per user; revoke one first`),
  malformed: () => new AppError(ErrorCode.UNAUTHENTICATED, 'API key is invalid'),
  unknownOrRevoked: () => new AppError(ErrorCode.UNAUTHENTICATED, 'API key is invalid or revoked'),
  expired: () => new AppError(ErrorCode.UNAUTHENTICATED, 'API key has expired'),
  ownerInactive: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account is not active'),
};
