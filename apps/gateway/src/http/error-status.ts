import { ErrorCode } from '#contracts';

/** The one place an error code becomes an HTTP status. Exhaustive: a new code fails to compile here. */
export function statusForCode(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.CONFLICT:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 415;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.INTERNAL:
      return 500;
    case ErrorCode.UNAVAILABLE:
      return 503;
    case ErrorCode.UPSTREAM_TIMEOUT:
      return 504;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

const TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Validation failed',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Forbidden',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  UNAVAILABLE: 'Service unavailable',
  UPSTREAM_TIMEOUT: 'Upstream timeout',
};

export function titleForCode(code: ErrorCode): string {
  return TITLES[code];
}
