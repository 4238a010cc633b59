import { AppError, ErrorCode } from '#contracts';

export const ConversationsErrors = {
  /** Also what another user's conversation answers: no existence leak. */
  notFound: () => AppError.notFound('conversation'),
  notDeleted: () => new AppError(ErrorCode.CONFLICT, 'the conversation is not deleted'),
  oneTarget: () => AppError.invalidField('agentId', 'exactly one of agentId and workflowId must be given'),
  jsonTooLarge: (field: string, maxBytes: number) => AppError.invalidField(field, `${field} must be at most ${maxBytes} bytes of JSON`),
  /** Another user's agent answers as a missing one: no existence leak. */
  agentNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'agent not found', { field: 'agentId' }),
  /** Another user's workflow answers as a missing one: no existence leak. */
  workflowNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'workflow not found', { field: 'workflowId' }),
  sessionTaken: () => new AppError(ErrorCode.CONFLICT, 'another of your conversations already has this sessionId', { field: 'sessionId' }),
};
