import { issueRefreshToken, parseRefreshToken, secretMatches } from './refresh-token.codec.js';

describe('refresh token codec', () => {
  const id = '01a20978-2ffc-70d9-aaca-ad2e71c80e0c';

  it('issues `<id>.<secret>` and stores only a hash that matches the secret', () => {
    const issued = issueRefreshToken(id);
    const parsed = parseRefreshToken(issued.token);
    expect(parsed?.id).toBe(id);
    expect(secretMatches(parsed!.secret, issued.hash)).toBe(true);
    expect(issued.hash.toString('utf8')).not.toContain(parsed!.secret);
  });

  it('refuses another secret for the same id', () => {
    const issued = issueRefreshToken(id);
    const other = parseRefreshToken(issueRefreshToken(id).token)!;
    expect(secretMatches(other.secret, issued.hash)).toBe(false);
  });

  it.each(['', 'abc', `${id}`, `${id}.short`, `${id}.${'a'.repeat(43)}.x`, `not-a-uuid.${'a'.repeat(43)}`])('does not parse %p', (token) => {
    expect(parseRefreshToken(token)).toBeNull();
  });
});
