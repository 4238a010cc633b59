import { AppError, ErrorCode } from '#contracts';

export const ApiKeysErrors = {
  notFound: () => AppError.notFound('API key'),
  tooMany: (max: number) => new AppError(ErrorCode.CONFLICT, `at most ${max} live API keys per user; revoke one first`),
};
