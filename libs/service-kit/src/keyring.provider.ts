import type { Provider } from '@nestjs/common';
import { Keyring } from '#crypto';

export const KEYRING = Symbol('KEYRING');

/** The master keys, or null when ENCRYPTION_KEYS is unset (secrets at rest then cannot be stored: provider keys, webhook secrets). */
export type MaybeKeyring = Keyring | null;

/**
 * Read once at start: a malformed ENCRYPTION_KEYS stops the service with a message naming the
 * variable; an unset one leaves everything but storing secrets working. Each service that seals
 * secrets provides it in the feature that does.
 */
export const keyringProvider: Provider = {
  provide: KEYRING,
  useFactory: (): MaybeKeyring => Keyring.parse(process.env.ENCRYPTION_KEYS, 'ENCRYPTION_KEYS') ?? null,
};
