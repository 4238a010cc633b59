import { associatedData } from '#crypto';

/**
 * Binds a ciphertext to its owner and field: a ciphertext copied to another user's row, or to
 * another provider of the same user, fails to decrypt.
 */
export function providerKeyAad(userId: string, provider: string): Buffer {
  return associatedData('identity.provider_keys', userId, provider);
}
