import { hashApiKey, isWellFormedApiKey, issueApiKey } from './api-key.codec.js';

describe('API key codec', () => {
  it('issues recognisable keys with a valid checksum and stores only a hash and a short prefix', () => {
    const issued = issueApiKey();
    expect(issued.key).toMatch(/^ap_live_[0-9A-Za-z]{40}_[0-9A-Za-z]{6}$/);
    expect(isWellFormedApiKey(issued.key)).toBe(true);
    expect(issued.prefix).toBe(issued.key.slice(0, 12));
    expect(issued.hash.equals(hashApiKey(issued.key))).toBe(true);
    expect(issued.hash.toString('hex')).not.toContain(issued.key);
  });

  it('issues a different key every time', () => {
    expect(new Set(Array.from({ length: 50 }, () => issueApiKey().key)).size).toBe(50);
  });

  it('rejects a key with one character changed (the checksum catches it)', () => {
    const { key } = issueApiKey();
    const i = 10;
    const changed = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    expect(isWellFormedApiKey(changed)).toBe(false);
  });

  it.each(['', 'ap_live_', 'ap_test_' + 'a'.repeat(40) + '_aaaaaa', 'ap_live_' + 'a'.repeat(39) + '_aaaaaa', 'Bearer x'])('rejects %p', (key) => {
    expect(isWellFormedApiKey(key)).toBe(false);
  });
});
