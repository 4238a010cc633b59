import { AppError, ErrorCode } from '#contracts';

export const AgentsErrors = {
  /** Also what another user's agent answers: no existence leak. */
  notFound: () => AppError.notFound('agent'),
  versionNotFound: (version: number) => AppError.notFound(`agent version ${version}`),
  nameRequired: () => AppError.invalidField('name', 'name is required (or start from a template)'),
  notNull: (field: string) => AppError.invalidField(field, `${field} must not be null`),
  promptTooLong: (max: number) => AppError.invalidField('systemPrompt', `systemPrompt must be at most ${max} characters`),
  badTransition: (from: string, to: string) =>
    new AppError(ErrorCode.CONFLICT, `an agent cannot go from status ${from} to ${to}`, { field: 'status', from, to }),
  notDeleted: () => new AppError(ErrorCode.CONFLICT, 'the agent is not deleted'),
  unknownTemplate: (name: string) => AppError.invalidField('template', `there is no template named "${name}" (see GET /templates)`),
};
