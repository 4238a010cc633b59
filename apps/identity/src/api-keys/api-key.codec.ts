import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * `ap_live_<40 base62 chars>_<6 base62 chars of CRC32>`: the fixed prefix lets secret scanners
 * find leaked keys, the checksum lets them (and us) reject typos and random strings without a
 * lookup. 40 base62 characters carry about 238 bits, so a fast hash is safe to store: there is
 * nothing to brute-force that a slow hash would protect.
 */
export const API_KEY_PREFIX = 'ap_live_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 40;
const FORMAT = /^ap_live_([0-9A-Za-z]{40})_([0-9A-Za-z]{6})$/;
/** What is stored and shown to recognise a key: the prefix and the first four random characters. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 4;

function base62(value: number, width: number): string {
  let out = '';
  for (let v = value; out.length < width; v = Math.floor(v / 62)) out = ALPHABET[v % 62] + out;
  return out;
}

function checksum(body: string): string {
  return base62(crc32(`${API_KEY_PREFIX}${body}`), 6);
}

export interface IssuedApiKey {
  key: string;
  prefix: string;
  hash: Buffer;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

export function issueApiKey(): IssuedApiKey {
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[randomInt(62)];
  const key = `${API_KEY_PREFIX}${body}_${checksum(body)}`;
  return { key, prefix: key.slice(0, DISPLAY_LENGTH), hash: hashApiKey(key) };
}

/** True for a well-formed key whose checksum matches; says nothing about whether it exists. */
export function isWellFormedApiKey(key: string): boolean {
  const match = FORMAT.exec(key);
  return match !== null && checksum(match[1]) === match[2];
}
