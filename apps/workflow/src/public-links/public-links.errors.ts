import { AppError, ErrorCode } from '#contracts';

export const PublicLinksErrors = {
  /** Unknown, expired and revoked links look the same to a caller. */
  linkNotFound: () => AppError.notFound('public link'),
  runNotFound: () => AppError.notFound('run'),
  expiryInPast: () => AppError.invalidField('publicLink.expiresAt', 'publicLink.expiresAt must be in the future'),
  runsUnavailable: () => new AppError(ErrorCode.UNAVAILABLE, 'runs cannot be started right now; try again shortly'),
};
