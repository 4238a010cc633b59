import { AppError, ErrorCode } from '#contracts';

export const AttachmentsErrors = {
  /** Also what another user's attachment, or one of a deleted conversation, answers. */
  notFound: () => AppError.notFound('attachment'),
  conversationNotFound: () => AppError.notFound('conversation'),
  unsupportedType: (contentType: string, accepted: string[]) => new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `attachments of type ${contentType} are not accepted`, { accepted }),
  tooLarge: (maxBytes: number) => new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `attachments may be at most ${maxBytes} bytes`, { maxBytes }),
  foreignMessage: () => AppError.invalidField('messageId', 'messageId must be a message of this conversation'),
};
