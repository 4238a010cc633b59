import { ErrorCode } from '#contracts';
import type { FastifyRequest } from 'fastify';
import { type Problem, toProblem } from './problem.js';

/**
 * The OpenAI-compatible face (/v1) answers failures in OpenAI's error JSON instead of
 * problem+json: its clients read `error.message/type/param/code`. The same codes and statuses;
 * only the body differs, chosen by path so errors raised before a route runs (bad JSON) match too.
 */
export const OPENAI_PATH_PREFIX = '/v1/';

export function isOpenAiPath(url: string): boolean {
  return url.startsWith(OPENAI_PATH_PREFIX);
}

/** OpenAI's error body: what its SDKs read into APIError (message, type, param, code). */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}


/** The OpenAI error type for each of our codes. Exhaustive: a new code fails to compile here. */
function typeFor(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.NOT_FOUND:
    case ErrorCode.CONFLICT:
    case ErrorCode.PAYLOAD_TOO_LARGE:
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 'invalid_request_error';
    case ErrorCode.UNAUTHENTICATED:
      return 'authentication_error';
    case ErrorCode.FORBIDDEN:
      return 'permission_error';
    case ErrorCode.RATE_LIMITED:
      return 'rate_limit_error';
    case ErrorCode.INTERNAL:
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.UPSTREAM_TIMEOUT:
      return 'server_error';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** A problem (our one description of every failure) in OpenAI's shape: the first bad field becomes `param`. */
export function openAiErrorOf(problem: Problem): OpenAiError {
  const errors = Array.isArray(problem.errors) ? (problem.errors as Array<{ field?: unknown; problems?: unknown }>) : [];
  const first = errors[0];
  const param = typeof problem.param === 'string' ? problem.param : typeof first?.field === 'string' ? first.field : null;
  const why = first && Array.isArray(first.problems) ? first.problems.filter((p): p is string => typeof p === 'string').join('; ') : '';
  const reason = typeof problem.reason === 'string' ? problem.reason : null;
  return {
    error: {
      message: why ? `${problem.detail}: ${why}` : problem.detail,
      type: typeFor(problem.code),
      param,
      code: reason ?? (problem.code === ErrorCode.UNAUTHENTICATED ? 'invalid_api_key' : problem.code.toLowerCase()),
    },
  };
}

/** Anything thrown while serving a request as [status, OpenAI error body], with the same logging of the unexpected as problem+json. */
export function toOpenAiError(err: unknown, request: FastifyRequest): OpenAiError {
  return openAiErrorOf(toProblem(err, request.url.split('?')[0], request.id));
}
