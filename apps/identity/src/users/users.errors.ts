import { AppError, ErrorCode } from '#contracts';

export const UsersErrors = {
  emailTaken: () => new AppError(ErrorCode.CONFLICT, 'an account with this email already exists', { field: 'email' }),
  accountGone: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account no longer exists'),
  notAUser: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this operation needs a signed-in user'),
};
