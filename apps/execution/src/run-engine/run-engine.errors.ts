import { AppError, ErrorCode, type RunErrorInfo } from '#contracts';

/** A fenced write affected no row: another attempt owns the run, or it ended. The writer must stop. */
export class LeaseLostError extends Error {
  constructor(readonly runId: string, readonly attempt: number) {
    super(`run ${runId}: attempt ${attempt} no longer holds the run`);
    this.name = 'LeaseLostError';
  }
}

/**
 * What an executor throws for a failure that retrying cannot fix (a limit reached, a bad
 * definition): the run fails at once. Any other error counts as one failed attempt.
 */
export class RunFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Extra fields of the stored error, e.g. which limit for LIMIT_EXCEEDED. */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RunFailure';
  }

  info(): RunErrorInfo {
    return { ...this.details, code: this.code, message: this.message };
  }
}

export const RunErrors = {
  /** Also what another user's run answers: no existence leak. */
  notFound: () => AppError.notFound('run'),
  alreadyFinished: (status: string) => new AppError(ErrorCode.CONFLICT, `the run is already ${status}`, { status }),
  notWaiting: (status: string) => new AppError(ErrorCode.CONFLICT, `the run is ${status}, not waiting for input`, { status }),
  badInput: (problem: string) => new AppError(ErrorCode.VALIDATION_FAILED, problem),
};
