import { AppError, ErrorCode } from '#contracts';

export const ProjectsErrors = {
  /** Also what another user's project looks like: its existence is not revealed. */
  notFound: () => AppError.notFound('project'),
  defaultUndeletable: () => new AppError(ErrorCode.CONFLICT, 'the default project cannot be deleted'),
  defaultUnarchivable: () => new AppError(ErrorCode.CONFLICT, 'the default project cannot be archived'),
  /** A write for an account deleted after its access token was issued: the account is gone (401), not an internal error. */
  ownerGone: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account no longer exists'),
};
