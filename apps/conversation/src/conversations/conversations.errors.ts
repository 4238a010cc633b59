import { AppError, ErrorCode } from '#contracts';

/** A 400 shaped like a class-validator failure, so clients read one format for every bad field. */
export function invalidField(field: string, problem: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `${field} is invalid`, { errors: [{ field, problems: [problem] }] });
}

export const ConversationsErrors = {
  /** Also what another user's conversation answers: no existence leak. */
  notFound: () => AppError.notFound('conversation'),
  messageNotFound: () => AppError.notFound('message'),
  attachmentNotFound: () => AppError.notFound('attachment'),
  notDeleted: (what: 'conversation' | 'message') => new AppError(ErrorCode.CONFLICT, `the ${what} is not deleted`),
  parentDeleted: () => new AppError(ErrorCode.CONFLICT, 'the message answers a deleted message: restore that one first'),
  oneTarget: () => invalidField('agentId', 'exactly one of agentId and workflowId must be given'),
  badCursor: () => invalidField('cursor', 'cursor must be the nextCursor of a previous page'),
  emptyContent: () => invalidField('content', 'content must not be empty or only whitespace'),
  contentTooLong: (max: number) => invalidField('content', `content must be at most ${max} characters`),
  foreignParent: () => invalidField('parentId', 'parentId must be a message of this conversation'),
  foreignLeaf: (field: string) => invalidField(field, `${field} must be a message of this conversation`),
  notEditable: () => invalidField('id', 'only user messages can be edited; assistant, tool and system messages come from runs'),
  sessionTaken: () => new AppError(ErrorCode.CONFLICT, 'another conversation already has this sessionId', { field: 'sessionId' }),
};
