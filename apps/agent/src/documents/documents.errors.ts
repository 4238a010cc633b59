import { AppError, ErrorCode } from '#contracts';

export const DocumentsErrors = {
  /** Also what another user's document answers: no existence leak. */
  notFound: () => AppError.notFound('document'),
  empty: (field: string) => AppError.invalidField(field, `${field} has no text to index`),
  tooLarge: (field: string, max: number) => new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `${field} is larger than the ${max} bytes a document may have`, { field, maxBytes: max }),
  metadataTooLarge: (max: number) => AppError.invalidField('metadata', `metadata must be at most ${max} bytes as JSON`),
};
