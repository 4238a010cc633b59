import { randomBytes } from 'node:crypto';
import { associatedData, decodeSealed, DecryptionError, encodeSealed, Keyring, KeyringConfigError } from './keyring.js';

const b64 = () => randomBytes(32).toString('base64');
const aad = associatedData('identity.provider_keys', '0191a2b3-0000-7000-8000-000000000001', 'openai');
const SECRET = 'sk-test-0123456789abcdefghij';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return 'opened';
  } catch (err) {
    return err instanceof DecryptionError ? err.reason : `unexpected: ${String(err)}`;
  }
}

describe('Keyring', () => {
  describe('successful', () => {
    it('seals under the first key and opens again with the same associated data', () => {
      const ring = Keyring.parse(`k2:${b64()},k1:${b64()}`)!;
      const sealed = ring.seal(SECRET, aad);
      expect(sealed.keyId).toBe('k2');
      expect(sealed.ciphertext.toString('latin1')).not.toContain(SECRET);
      expect(ring.open(sealed, aad)).toBe(SECRET);
    });

    it('uses a fresh nonce every time, so one secret sealed twice looks different', () => {
      const ring = Keyring.parse(`k1:${b64()}`)!;
      expect(ring.seal(SECRET, aad).ciphertext.equals(ring.seal(SECRET, aad).ciphertext)).toBe(false);
    });

    it('after rotation still opens old data and re-wraps it under the new key', () => {
      const oldKey = b64();
      const before = Keyring.parse(`old:${oldKey}`)!;
      const sealed = before.seal(SECRET, aad);
      const newKey = b64();
      const after = Keyring.parse(`new:${newKey},old:${oldKey}`)!;
      expect(after.needsRewrap(sealed)).toBe(true);
      expect(after.open(sealed, aad)).toBe(SECRET);
      const rewrapped = after.rewrap(sealed, aad);
      expect(rewrapped.keyId).toBe('new');
      expect(after.needsRewrap(rewrapped)).toBe(false);
      expect(after.open(rewrapped, aad)).toBe(SECRET);
      // Once the old key is retired, re-wrapped data still opens; data left behind does not.
      const retired = Keyring.parse(`new:${newKey}`)!;
      expect(retired.open(rewrapped, aad)).toBe(SECRET);
      expect(reasonOf(() => retired.open(sealed, aad))).toBe('unknown-key');
    });

    it('round-trips the text form', () => {
      const ring = Keyring.parse(`k_1-a:${b64()}`)!;
      const text = encodeSealed(ring.seal(SECRET, aad));
      expect(text).toMatch(/^v1\.k_1-a\.[A-Za-z0-9_-]+$/);
      expect(ring.open(decodeSealed(text), aad)).toBe(SECRET);
    });

    it('treats an unset or blank variable as not configured', () => {
      expect(Keyring.parse(undefined)).toBeUndefined();
      expect(Keyring.parse('  ')).toBeUndefined();
    });
  });

  describe('failing', () => {
    const ring = Keyring.parse(`k1:${b64()}`)!;
    const sealed = ring.seal(SECRET, aad);

    it('refuses a ciphertext with any byte flipped (nonce, body or tag)', () => {
      for (const position of [0, 12, sealed.ciphertext.length - 1]) {
        const tampered = Buffer.from(sealed.ciphertext);
        tampered[position] ^= 0x01;
        expect(reasonOf(() => ring.open({ keyId: 'k1', ciphertext: tampered }, aad))).toBe('authentication-failed');
      }
    });

    it('refuses a truncated ciphertext', () => {
      expect(reasonOf(() => ring.open({ keyId: 'k1', ciphertext: sealed.ciphertext.subarray(0, 20) }, aad))).toBe('malformed');
      expect(reasonOf(() => ring.open({ keyId: 'k1', ciphertext: sealed.ciphertext.subarray(0, sealed.ciphertext.length - 1) }, aad))).toBe('authentication-failed');
    });

    it('refuses another user or another field as associated data (a ciphertext copied to another row)', () => {
      expect(reasonOf(() => ring.open(sealed, associatedData('identity.provider_keys', '0191a2b3-0000-7000-8000-000000000002', 'openai')))).toBe('authentication-failed');
      expect(reasonOf(() => ring.open(sealed, associatedData('identity.provider_keys', '0191a2b3-0000-7000-8000-000000000001', 'anthropic')))).toBe('authentication-failed');
    });

    it('does not confuse differently split associated data', () => {
      const other = ring.seal(SECRET, associatedData('ab', 'c'));
      expect(reasonOf(() => ring.open(other, associatedData('a', 'bc')))).toBe('authentication-failed');
    });

    it('refuses a key of the same id but other material, and an unknown key id', () => {
      const impostor = Keyring.parse(`k1:${b64()}`)!;
      expect(reasonOf(() => impostor.open(sealed, aad))).toBe('authentication-failed');
      expect(reasonOf(() => ring.open({ ...sealed, keyId: 'k9' }, aad))).toBe('unknown-key');
    });

    it('refuses a malformed text form', () => {
      for (const text of ['', 'v2.k1.AAAA', 'v1..AAAA', 'v1.k1.', 'v1.k1.AA AA']) {
        expect(reasonOf(() => decodeSealed(text))).toBe('malformed');
      }
    });

    it.each([
      ['no colon', 'abc'],
      ['empty id', `:${b64()}`],
      ['bad id', `k 1:${b64()}`],
      ['short key', `k1:${randomBytes(16).toString('base64')}`],
      ['not base64', 'k1:!!!!'],
      ['duplicate id', `k1:${b64()},k1:${b64()}`],
    ])('names the variable and never echoes the key for %s', (_label, value) => {
      let caught: unknown;
      try {
        Keyring.parse(value, 'ENCRYPTION_KEYS');
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(KeyringConfigError);
      const message = (caught as Error).message;
      expect(message).toMatch(/^ENCRYPTION_KEYS /);
      for (const part of value.split(/[,:]/).filter((p) => p.length >= 8)) expect(message).not.toContain(part);
    });
  });
});
