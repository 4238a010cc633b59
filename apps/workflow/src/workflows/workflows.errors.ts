import { AppError, ErrorCode } from '#contracts';

export const WorkflowsErrors = {
  /** Also what another user's workflow answers: no existence leak. */
  notFound: () => AppError.notFound('workflow'),
  versionNotFound: (version: number) => AppError.notFound(`workflow version ${version}`),
  notPublished: () => AppError.notFound('published workflow version'),
  inactive: () => new AppError(ErrorCode.CONFLICT, 'the workflow is not active (PATCH isActive: true to run it)'),
  required: (field: string) => AppError.invalidField(field, `${field} is required`),
  notNull: (field: string) => AppError.invalidField(field, `${field} must not be null`),
  badExport: (problem: string) => AppError.invalidField('definition', problem),
};
