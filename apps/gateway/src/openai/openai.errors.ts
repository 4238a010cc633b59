import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Problem, toProblem } from '../http/problem.js';

/** OpenAI's error body: what its SDKs read into APIError (message, type, param, code). */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** When a 429 does not say how long to wait (as the problem filter does). */
const DEFAULT_RETRY_AFTER_SECONDS = 60;

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
export function toOpenAiError(err: unknown, request: FastifyRequest): { status: number; body: OpenAiError; retryAfter?: number } {
  const problem = toProblem(err, request.url.split('?')[0], request.id);
  const seconds = problem.retryAfterSeconds;
  return {
    status: problem.status,
    body: openAiErrorOf(problem),
    ...(problem.status === 429 ? { retryAfter: typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS } : {}),
  };
}

/** For the /v1 routes: every failure answered in OpenAI's error JSON, with the status our code maps to. */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    const { status, body, retryAfter } = toOpenAiError(exception, request);
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

export const OpenAiErrors = {
  invalid: (param: string, message: string) => AppError.invalidField(param, message),
  unsupported: (param: string, message: string) => AppError.invalidField(param, message),
  /** A run that ended without an answer, as the error a completion request gets. */
  runEnded: (runId: string, status: string, error: { code: string; message: string } | null) =>
    new AppError(status === 'cancelled' ? ErrorCode.CONFLICT : ErrorCode.INTERNAL, `run ${runId} ${status}${error ? `: ${error.code}: ${error.message}` : ''}`, {
      reason: status === 'cancelled' ? 'run_cancelled' : (error?.code.toLowerCase() ?? `run_${status}`),
    }),
  waitsForPerson: (runId: string, what: string) =>
    new AppError(ErrorCode.CONFLICT, `run ${runId} waits for ${what}; answer it with POST /api/v1/runs/${runId}/resume`, { reason: 'run_requires_action' }),
};
