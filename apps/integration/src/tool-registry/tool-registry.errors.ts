import { AppError, ErrorCode } from '#contracts';

export const ToolRegistryErrors = {
  /** Also what another user's tool answers: no existence leak. */
  notFound: () => AppError.notFound('tool'),
  required: (field: string) => AppError.invalidField(field, `${field} is required`),
  nameTaken: (name: string) => new AppError(ErrorCode.CONFLICT, `you already have a tool named "${name}"`, { field: 'name' }),
  builtinName: (name: string) => AppError.invalidField('name', `"${name}" is the name of a built-in tool`),
  badUrl: (problem: string) => AppError.invalidField('urlTemplate', problem),
  badParameters: (problem: string) => AppError.invalidField('parameters', problem),
  badAuth: (field: string, problem: string) => AppError.invalidField(`auth.${field}`, problem),
};
