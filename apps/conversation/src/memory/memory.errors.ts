import { AppError } from '#contracts';

export const MemoryErrors = {
  conversationNotFound: () => AppError.notFound('conversation'),
  foreignMessage: (field: string) => AppError.invalidField(field, `${field} must be a message of this conversation`),
};
