import { AppError, ErrorCode } from '#contracts';
import { RunErrors } from '../run-engine/run-engine.service.js';

/** The run routes' coded errors: the queue's own, and the rules of starting and resuming a run. */
export const RunsErrors = {
  ...RunErrors,
  conversationBusy: (activeRunId: string) => new AppError(ErrorCode.CONFLICT, 'the conversation already has an active run', { activeRunId }),
  tooManyActive: (active: number, limit: number) => new AppError(ErrorCode.RATE_LIMITED, `you have ${active} runs pending or running, the most allowed at once`, { limit }),
  workflowsUnavailable: () => new AppError(ErrorCode.CONFLICT, 'workflow runs are not available yet'),
  notWaitingForToolResults: (status: string) => new AppError(ErrorCode.CONFLICT, 'the run is not waiting for client tool results', { status }),
  /** The answer given is not what the run waits for (e.g. approvals for a run waiting for client tool results). */
  notWaitingFor: (given: string, waitingFor: string) => new AppError(ErrorCode.CONFLICT, `the run is not waiting for ${given}`, { requiredAction: waitingFor }),
  oneAnswer: () =>
    new AppError(ErrorCode.VALIDATION_FAILED, 'give exactly one of toolOutputs, approvals and input', {
      errors: [{ field: 'toolOutputs', problems: ['give exactly one of toolOutputs (client tools), approvals (tool approval) and input (human input)'] }],
    }),
  approvalsMismatch: (missing: string[], unknown: string[], duplicate: string[]) => {
    const problems = [
      ...(missing.length > 0 ? [`no decision for tool calls: ${missing.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`not tool calls waiting for approval: ${unknown.join(', ')}`] : []),
      ...(duplicate.length > 0 ? [`decided more than once: ${duplicate.join(', ')}`] : []),
    ];
    return new AppError(ErrorCode.VALIDATION_FAILED, 'approvals must decide every tool call waiting for approval exactly once', {
      errors: [{ field: 'approvals', problems }],
      missing,
      unknown,
      duplicate,
    });
  },
  toolOutputsMismatch: (missing: string[], unknown: string[], duplicate: string[]) => {
    const problems = [
      ...(missing.length > 0 ? [`no output for tool calls: ${missing.join(', ')}`] : []),
      ...(unknown.length > 0 ? [`not tool calls of this run: ${unknown.join(', ')}`] : []),
      ...(duplicate.length > 0 ? [`answered more than once: ${duplicate.join(', ')}`] : []),
    ];
    return new AppError(ErrorCode.VALIDATION_FAILED, 'toolOutputs must answer every tool call of the run exactly once', {
      errors: [{ field: 'toolOutputs', problems }],
      missing,
      unknown,
      duplicate,
    });
  },
};
