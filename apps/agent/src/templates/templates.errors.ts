import { AppError, ErrorCode } from '#contracts';

export const TemplatesErrors = {
  /** Also what another user's prompt template answers: no existence leak. */
  promptNotFound: () => AppError.notFound('prompt template'),
  promptNameTaken: () => new AppError(ErrorCode.CONFLICT, 'you already have a prompt template with this name', { field: 'name' }),
};
