import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM under named master keys. Every ciphertext records the id of the key that sealed it,
 * so the master key can be rotated: new writes use the primary (first) key, old ciphertexts still
 * open with the key they name until they are re-wrapped.
 */
export interface SealedSecret {
  /** Id of the master key that sealed it; stored beside the ciphertext. */
  keyId: string;
  /** Nonce (12 bytes) + ciphertext + authentication tag (16 bytes). */
  ciphertext: Buffer;
}

/** Raised when a ciphertext does not open: wrong key, wrong associated data, tampering, unknown key id. */
export class DecryptionError extends Error {
  constructor(readonly reason: 'unknown-key' | 'malformed' | 'authentication-failed') {
    // The message never holds key material or plaintext: it may end up in a log.
    super(`secret could not be decrypted (${reason})`);
    this.name = 'DecryptionError';
  }
}

/** A bad ENCRYPTION_KEYS value; the message names the variable and never echoes a key. */
export class KeyringConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'KeyringConfigError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Associated data from named parts (for example the table, the row's owner and the field). Each
 * part is length-prefixed, so ("ab", "c") and ("a", "bc") can never produce the same bytes.
 */
export function associatedData(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return [length, bytes];
    }),
  );
}

export class Keyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  private constructor(
    keys: Array<[string, Buffer]>,
    readonly primaryKeyId: string,
  ) {
    this.keys = new Map(keys);
  }

  /** Keys as raw 32-byte buffers; the first one seals new secrets. */
  static of(keys: Array<{ id: string; key: Buffer }>): Keyring {
    if (keys.length === 0) throw new Error('a keyring needs at least one key');
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id)) throw new Error(`key id "${id}" must be 1-32 letters, digits, "_" or "-"`);
      if (key.length !== KEY_BYTES) throw new Error(`key "${id}" must be ${KEY_BYTES} bytes`);
    }
    if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new Error('key ids must be unique');
    return new Keyring(
      keys.map(({ id, key }) => [id, Buffer.from(key)]),
      keys[0].id,
    );
  }

  /**
   * Parses `keyId:base64key[,keyId:base64key...]` (each key 32 random bytes, e.g.
   * `openssl rand -base64 32`). Undefined or blank means "not configured".
   */
  static parse(value: string | undefined, variable = 'ENCRYPTION_KEYS'): Keyring | undefined {
    if (value === undefined || value.trim() === '') return undefined;
    const entries = value.split(',').map((entry) => entry.trim());
    const keys: Array<{ id: string; key: Buffer }> = [];
    for (const [index, entry] of entries.entries()) {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : '';
      const material = colon > 0 ? entry.slice(colon + 1) : '';
      if (!KEY_ID.test(id)) {
        throw new KeyringConfigError(variable, `entry ${index + 1} must look like "keyId:base64key" with a key id of 1-32 letters, digits, "_" or "-"`);
      }
      const key = Buffer.from(material, 'base64');
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(material) || key.length !== KEY_BYTES) {
        throw new KeyringConfigError(variable, `key "${id}" must be ${KEY_BYTES} bytes in base64 (generate one with: openssl rand -base64 32)`);
      }
      if (keys.some((k) => k.id === id)) throw new KeyringConfigError(variable, `names key id "${id}" twice`);
      keys.push({ id, key });
    }
    return Keyring.of(keys);
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plaintext: string, aad: Buffer): SealedSecret {
    const key = this.keys.get(this.primaryKeyId) as Buffer;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.primaryKeyId, ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
  }

  open(sealed: SealedSecret, aad: Buffer): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new DecryptionError('unknown-key');
    if (sealed.ciphertext.length < NONCE_BYTES + TAG_BYTES) throw new DecryptionError('malformed');
    const nonce = sealed.ciphertext.subarray(0, NONCE_BYTES);
    const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
    const body = sealed.ciphertext.subarray(NONCE_BYTES, sealed.ciphertext.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('authentication-failed');
    }
  }

  /** True when the secret was sealed under a key other than the primary one. */
  needsRewrap(sealed: Pick<SealedSecret, 'keyId'>): boolean {
    return sealed.keyId !== this.primaryKeyId;
  }

  /** Opens with the key it names and seals again under the primary key (same associated data). */
  rewrap(sealed: SealedSecret, aad: Buffer): SealedSecret {
    return this.seal(this.open(sealed, aad), aad);
  }
}

const TEXT_FORMAT = /^v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)$/;

/** `v1.<keyId>.<base64url>`: one string for a secret kept in a text or jsonb field. */
export function encodeSealed(sealed: SealedSecret): string {
  return `v1.${sealed.keyId}.${sealed.ciphertext.toString('base64url')}`;
}

export function decodeSealed(text: string): SealedSecret {
  const match = TEXT_FORMAT.exec(text);
  if (!match) throw new DecryptionError('malformed');
  return { keyId: match[1], ciphertext: Buffer.from(match[2], 'base64url') };
}
