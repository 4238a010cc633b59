import { AppError, ErrorCode } from '#contracts';

export const OidcErrors = {
  notConfigured: () => new AppError(ErrorCode.NOT_FOUND, 'no external identity provider is configured'),
  badState: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this sign-in link is invalid, expired or already used; start again'),
  providerRefused: () => new AppError(ErrorCode.UNAUTHENTICATED, 'the identity provider did not sign you in'),
  missingCode: () => new AppError(ErrorCode.VALIDATION_FAILED, 'the callback carries no authorization code', { errors: [{ field: 'code', problems: ['code is required'] }] }),
  badIdToken: () => new AppError(ErrorCode.UNAUTHENTICATED, 'the identity provider\'s answer could not be verified'),
  unreachable: () => new AppError(ErrorCode.UNAVAILABLE, 'the identity provider is unreachable, try again shortly'),
  noEmail: () => new AppError(ErrorCode.UNAUTHENTICATED, 'the identity provider did not share an email address'),
  emailTaken: () =>
    new AppError(ErrorCode.CONFLICT, 'an account with this email exists, and the identity provider has not verified the email; sign in with your password instead', { field: 'email' }),
  linkedElsewhere: () => new AppError(ErrorCode.CONFLICT, 'this account is already linked to another external identity'),
  inactive: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account is not active'),
};
