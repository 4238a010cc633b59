import { AppError, ErrorCode } from '#contracts';
import { describeError, rootLogger } from '#observability';
import { HttpException } from '@nestjs/common';
import { statusForCode, titleForCode } from './error-status.js';

/** RFC 9457 problem details, plus our stable `code` and the request id to quote to support. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Fastify's own errors (raised before a route runs), by their stable `code`. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: ErrorCode.VALIDATION_FAILED, detail: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: ErrorCode.VALIDATION_FAILED, detail: 'request body is empty but content-type is application/json' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: ErrorCode.PAYLOAD_TOO_LARGE, detail: 'request body is larger than the configured limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, detail: 'this content-type is not accepted; send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: ErrorCode.VALIDATION_FAILED, detail: 'content-length does not match the body' },
};

function fromHttpStatus(status: number): ErrorCode {
  if (status === 404) return ErrorCode.NOT_FOUND;
  if (status === 401) return ErrorCode.UNAUTHENTICATED;
  if (status === 403) return ErrorCode.FORBIDDEN;
  if (status === 409) return ErrorCode.CONFLICT;
  if (status === 413) return ErrorCode.PAYLOAD_TOO_LARGE;
  if (status === 415) return ErrorCode.UNSUPPORTED_MEDIA_TYPE;
  if (status === 429) return ErrorCode.RATE_LIMITED;
  if (status >= 400 && status < 500) return ErrorCode.VALIDATION_FAILED;
  return ErrorCode.INTERNAL;
}

const MAX_INSTANCE_LENGTH = 256;

/** Anything thrown while serving a request, as a problem. Unknown errors are logged (safely) and hidden. */
export function toProblem(err: unknown, instance: string, requestId: string | undefined): Problem {
  let code: ErrorCode;
  let detail: string;
  let extensions: Record<string, unknown> = {};
  if (err instanceof AppError) {
    code = err.code;
    detail = err.message;
    extensions = err.details ?? {};
  } else if (err instanceof HttpException) {
    code = fromHttpStatus(err.getStatus());
    detail = code === ErrorCode.NOT_FOUND ? 'no such route' : err.message;
  } else if (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && FASTIFY_CODES[(err as { code: string }).code]) {
    ({ code, detail } = FASTIFY_CODES[(err as { code: string }).code]);
  } else if (typeof err === 'object' && err !== null && typeof (err as { statusCode?: unknown }).statusCode === 'number' && (err as { statusCode: number }).statusCode < 500) {
    code = fromHttpStatus((err as { statusCode: number }).statusCode);
    detail = 'the request could not be processed';
  } else {
    code = ErrorCode.INTERNAL;
    detail = 'internal error; quote the request id when reporting it';
    rootLogger().error({ ...describeError(err), instance: instance.slice(0, MAX_INSTANCE_LENGTH) }, 'unexpected error serving a request');
  }
  // Extensions never overwrite the standard members.
  return {
    ...extensions,
    type: `urn:agent-platform:problem:${code.toLowerCase().replace(/_/g, '-')}`,
    title: titleForCode(code),
    status: statusForCode(code),
    detail,
    code,
    // An overlong path is someone's input, not a place: it is not repeated back (nor logged whole).
    ...(instance.length <= MAX_INSTANCE_LENGTH ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
  };
}
