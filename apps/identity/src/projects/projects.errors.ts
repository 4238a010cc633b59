import { AppError, ErrorCode } from '#contracts';

export const ProjectsErrors = {
  /** Also what another user's project looks like: its existence is not revealed. */
  notFound: () => AppError.notFound('project'),
  defaultUndeletable: () => new AppError(ErrorCode.CONFLICT, 'the default project cannot be deleted'),
  defaultUnarchivable: () => new AppError(ErrorCode.CONFLICT, 'the default project cannot be archived'),
};
