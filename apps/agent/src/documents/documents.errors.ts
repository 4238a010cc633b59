import { AppError, ErrorCode } from '#contracts';

export const DocumentsErrors = {
  /** Also what another user's document answers: no existence leak. */
  notFound: () => AppError.notFound('document'),
  empty: (field: string) => AppError.invalidField(field, `${field} has no text to index`),
  tooLarge: (field: string, max: number) => new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `${field} is larger than the ${max} bytes a document may have`, { field, maxBytes: max }),
  unsupportedType: (field: string, contentType: string, accepted: string[]) =>
    new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `${field}: ${contentType.slice(0, 100) || 'no content type'} cannot be indexed; accepted: ${accepted.join(', ')}`, { field, contentType, accepted }),
  unreadable: (field: string, why: string) => AppError.invalidField(field, `${field} cannot be read: ${why}`),
  metadataTooLarge: (max: number) => AppError.invalidField('metadata', `metadata must be at most ${max} bytes as JSON`),
};
