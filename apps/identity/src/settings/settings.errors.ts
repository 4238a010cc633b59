import { AppError, ErrorCode } from '#contracts';

export const SettingsErrors = {
  encryptionNotConfigured: () =>
    new AppError(ErrorCode.UNAVAILABLE, 'provider keys cannot be stored: the server has no ENCRYPTION_KEYS configured; ask the operator to set it'),
  providerKeyNotSet: () => AppError.notFound('provider key'),
  /** The stored key no longer decrypts (its master key was removed or the row was tampered with). */
  providerKeyUnreadable: () => new AppError(ErrorCode.UNAVAILABLE, 'the stored provider key cannot be decrypted; the user must set it again'),
  /** A write for an account deleted after its access token was issued: the account is gone (401), not an internal error. */
  accountGone: () => new AppError(ErrorCode.UNAUTHENTICATED, 'this account no longer exists'),
  onlyExecution: () => new AppError(ErrorCode.FORBIDDEN, 'only the execution service may read provider keys'),
  settingsTooLarge: (max: number) =>
    new AppError(ErrorCode.VALIDATION_FAILED, 'request is invalid', { errors: [{ field: 'settings', problems: [`settings must be at most ${max} bytes of JSON once merged`] }] }),
};
