import { AppError, ErrorCode } from '#contracts';

/** A 400 shaped like a class-validator failure, so clients read one format for every bad field. */
export function invalidField(field: string, problem: string): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, `${field} is invalid`, { errors: [{ field, problems: [problem] }] });
}

export const AgentsErrors = {
  /** Also what another user's agent answers: no existence leak. */
  notFound: () => AppError.notFound('agent'),
  versionNotFound: (version: number) => new AppError(ErrorCode.NOT_FOUND, `agent version ${version} not found`),
  promptTooLong: (max: number) => invalidField('systemPrompt', `systemPrompt must be at most ${max} characters`),
  badTransition: (from: string, to: string) =>
    new AppError(ErrorCode.CONFLICT, `an agent cannot go from status ${from} to ${to}`, { field: 'status', from, to }),
  notDeleted: () => new AppError(ErrorCode.CONFLICT, 'the agent is not deleted'),
  unknownTemplate: (name: string) => invalidField('template', `there is no template named "${name}" (see GET /templates)`),
  /** `why` starts with the path of the bad part when there is one ("definition.tools must ..."). */
  notADefinition: (why: string) => invalidField(why.startsWith('definition.') ? why.split(' ')[0] : 'definition', why),
  inactive: () => new AppError(ErrorCode.CONFLICT, 'the agent is not active'),
};
