import { AppError, ErrorCode } from '#contracts';
import type { DefinitionProblem } from './definition-rules.js';

export const DefinitionsErrors = {
  invalid: (problems: DefinitionProblem[]) =>
    new AppError(ErrorCode.VALIDATION_FAILED, `the definition is invalid: ${problems[0].field} ${problems[0].problems[0]}`, { errors: problems }),
  tooLarge: (max: number) => AppError.invalidField('definition', `definition must be at most ${max} characters of JSON`),
  /** Another user's agent, tool or knowledge base answers like a missing one: no existence leak. */
  notFound: (what: string, problem: DefinitionProblem) => new AppError(ErrorCode.NOT_FOUND, `${what} not found (${problem.field})`, { errors: [problem] }),
  unavailable: (service: string, what: string, problem: DefinitionProblem) =>
    new AppError(ErrorCode.UNAVAILABLE, `the ${service} service did not answer, so ${what} cannot be checked; try again shortly`, { errors: [problem] }),
};
