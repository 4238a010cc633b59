import { AppError, ErrorCode } from '#contracts';

export const NO_RESPONDER_RETRY_MS = 100;

/**
 * No replica listening is usually a restart in progress: wait for one until the request's
 * deadline, then report the same timeout a hung replica would cause.
 */
export function upstreamTimeout(subject: string, timeoutMs: number, reason: 'timeout' | 'no_responders'): AppError {
  const service = subject.split('.')[0];
  return new AppError(ErrorCode.UPSTREAM_TIMEOUT, `the ${service} service did not answer within ${timeoutMs} ms`, { reason });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
