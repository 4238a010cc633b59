import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isOpenAiPath, openAiErrorOf } from './openai-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';

/** When a 429 does not say how long to wait: long enough that a polite client backs off. */
const DEFAULT_RETRY_AFTER_SECONDS = 60;
/** A 503 (the bus or the database down) is usually a restart in progress: try again soon. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception);
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, exception: unknown): void {
  const problem = toProblem(exception, request.url.split('?')[0], request.id);
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
  if (problem.status === 429) {
    const seconds = problem.retryAfterSeconds;
    reply.header('retry-after', String(typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : DEFAULT_RETRY_AFTER_SECONDS));
  }
  if (problem.status === 503) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  if (isOpenAiPath(request.url)) {
    void reply.status(problem.status).header('content-type', 'application/json; charset=utf-8').send(openAiErrorOf(problem));
    return;
  }
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
