import { AppError, ErrorCode } from '#contracts';

export const ConnectionsErrors = {
  /** Also what another user's connection answers: no existence leak. */
  notFound: () => AppError.notFound('connection'),
  /** Also what another user's agent answers. */
  agentNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'agent not found', { field: 'agentId' }),
  unknownProvider: (name: string) => AppError.notFound(`integration provider "${name}"`),
  badState: () => new AppError(ErrorCode.VALIDATION_FAILED, 'the authorization link is unknown, used or expired; start again', { errors: [{ field: 'state', problems: ['state is unknown, used or expired'] }] }),
  missingCode: () => AppError.invalidField('code', 'code is required'),
  refused: (error: string) => new AppError(ErrorCode.VALIDATION_FAILED, `the provider did not grant access (${error})`, { errors: [{ field: 'code', problems: [`the provider answered ${error}`] }] }),
  needsReauth: (provider: string) => new AppError(ErrorCode.CONFLICT, `the ${provider} connection was revoked; authorize it again`, { status: 'needs_reauth' }),
};
