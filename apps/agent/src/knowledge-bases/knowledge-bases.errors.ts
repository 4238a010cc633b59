import { AppError, ErrorCode } from '#contracts';

export const KnowledgeBasesErrors = {
  /** Also what another user's knowledge base answers: no existence leak. */
  notFound: () => AppError.notFound('knowledge base'),
  notYours: () => new AppError(ErrorCode.FORBIDDEN, 'a user may only ask about their own knowledge bases'),
  nameRequired: () => AppError.invalidField('name', 'name is required'),
  notNull: (field: string) => AppError.invalidField(field, `${field} must not be null`),
  overlapTooLarge: () => AppError.invalidField('chunking.overlap', 'chunking.overlap must be less than half of chunking.size'),
  unknownBuiltinModel: (model: string) =>
    AppError.invalidField('embedding.model', `the builtin provider has one model, "hashing-v1" (not "${model.slice(0, 60)}")`),
};
