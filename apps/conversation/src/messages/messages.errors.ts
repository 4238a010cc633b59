import { AppError, ErrorCode } from '#contracts';

export const MessagesErrors = {
  /** Also what another user's message answers: no existence leak. */
  notFound: () => AppError.notFound('message'),
  notDeleted: () => new AppError(ErrorCode.CONFLICT, 'the message is not deleted'),
  parentDeleted: () => new AppError(ErrorCode.CONFLICT, 'the message answers a deleted message: restore that one first'),
  badCursor: () => AppError.invalidField('cursor', 'cursor must be the nextCursor of a previous page'),
  emptyContent: () => AppError.invalidField('content', 'content must not be empty or only whitespace'),
  contentTooLong: (max: number) => AppError.invalidField('content', `content must be at most ${max} characters`),
  foreignParent: () => AppError.invalidField('parentId', 'parentId must be a message of this conversation'),
  foreignLeaf: (field: string) => AppError.invalidField(field, `${field} must be a message of this conversation`),
  notEditable: () => AppError.invalidField('id', 'only user messages can be edited; assistant, tool and system messages come from runs'),
};
