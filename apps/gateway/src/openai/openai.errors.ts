import { AppError, ErrorCode } from '#contracts';

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
