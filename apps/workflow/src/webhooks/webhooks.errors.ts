import { AppError, ErrorCode } from '#contracts';

export const WebhooksErrors = {
  notFound: () => AppError.notFound('webhook trigger'),
  noKeys: () => new AppError(ErrorCode.UNAVAILABLE, 'webhook secrets cannot be stored: the operator has not set ENCRYPTION_KEYS'),
  unsigned: () => new AppError(ErrorCode.UNAUTHENTICATED, 'the delivery must carry x-webhook-timestamp and x-webhook-signature'),
  stale: () => new AppError(ErrorCode.UNAUTHENTICATED, 'the delivery timestamp is more than 5 minutes from now'),
  badSignature: () => new AppError(ErrorCode.UNAUTHENTICATED, 'the delivery signature does not match'),
  noDeliveryId: () => AppError.invalidField('x-webhook-id', 'the x-webhook-id header (a unique id per delivery) is required'),
  replayed: () => new AppError(ErrorCode.CONFLICT, 'this delivery id was already received'),
  notAnObject: () => AppError.invalidField('body', "the body must be a JSON object: it becomes the run's inputs"),
  runsUnavailable: () => new AppError(ErrorCode.UNAVAILABLE, 'the run cannot be started right now; deliver again with the same id'),
};
