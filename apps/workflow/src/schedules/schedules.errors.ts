import { AppError, ErrorCode } from '#contracts';

export const SchedulesErrors = {
  /** Also what another user's schedule answers. */
  notFound: () => AppError.notFound('schedule'),
  agentNotFound: () => new AppError(ErrorCode.NOT_FOUND, 'agent not found', { errors: [{ field: 'agentId', problems: ['agentId is not one of your agents'] }] }),
  agentsUnavailable: () => new AppError(ErrorCode.UNAVAILABLE, 'the agent service did not answer, so the agent cannot be checked; try again shortly'),
  notAutomation: () => AppError.invalidField('agentId', 'only automation agents (agentType "automation") can be scheduled'),
  oneTarget: () => AppError.invalidField('workflowId', 'give exactly one of workflowId and agentId'),
  required: (field: string) => AppError.invalidField(field, `${field} is required`),
  wrongInput: (field: string, problem: string) => AppError.invalidField(field, problem),
  badCron: (problem: string) => AppError.invalidField('cron', `cron is not a valid cron expression: ${problem}`),
  badTimeZone: (zone: string) => AppError.invalidField('timeZone', `timeZone "${zone.slice(0, 64)}" is not an IANA time zone (e.g. Europe/Paris)`),
};
