import { AppError, ErrorCode } from '#contracts';

export const ConfigCacheErrors = {
  /** Also what another user's agent answers: no existence leak. */
  agentNotFound: () => AppError.notFound('agent'),
  versionNotFound: (version: number) => AppError.notFound(`agent version ${version}`),
  inactive: () => new AppError(ErrorCode.CONFLICT, 'the agent is not active'),
};
