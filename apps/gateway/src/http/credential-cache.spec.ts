import { CREDENTIALS_CHANGED, REQUEST_BUDGET_SPENT, type VerifiedCredential } from '#contracts';
import { InProcessBroadcast } from '#messaging';
import { CredentialCache } from './credential-cache.js';

const USER = '0190a0a0-0000-7000-8000-000000000001';
const OTHER = '0190a0a0-0000-7000-8000-000000000002';

function credential(userId = USER, extra: Partial<VerifiedCredential> = {}): VerifiedCredential {
  return { userId, isSuperuser: false, scopes: ['full'], sessionId: '0190a0a0-0000-7000-8000-0000000000aa', budget: { granted: 3, resetsInMs: 60_000 }, ...extra };
}

/** The in-process broadcast delivers on a microtask, like a network hop. */
const delivered = () => new Promise((resolve) => setImmediate(resolve));

describe('CredentialCache', () => {
  it('keeps a verified credential for its TTL, and the lease identity granted less the request it was asked for', () => {
    const cache = new CredentialCache(5000, new InProcessBroadcast());
    cache.admit('token-a', credential(), cache.stamp(), Infinity, 1000);
    expect(cache.get('token-a', 1000)?.userId).toBe(USER);
    expect([cache.spend(USER, 1000), cache.spend(USER, 1000), cache.spend(USER, 1000)]).toEqual([true, true, false]);
    expect(cache.get('token-a', 6000)).toBeUndefined();
  });

  it('never keeps a credential past its own expiry (token exp, key expiry)', () => {
    const cache = new CredentialCache(5000, new InProcessBroadcast());
    cache.admit('token-a', credential(), cache.stamp(), 2000, 1000);
    expect(cache.get('token-a', 1999)).toBeDefined();
    expect(cache.get('token-a', 2000)).toBeUndefined();
    cache.admit('key-b', credential(USER, { expiresAt: new Date(1500).toISOString() }), cache.stamp(), Infinity, 1000);
    expect(cache.get('key-b', 1600)).toBeUndefined();
  });

  it('a lease ends with its budget window, and a new lease adds to what is left of the same window', () => {
    const cache = new CredentialCache(5000, new InProcessBroadcast());
    cache.admit('token-a', credential(USER, { budget: { granted: 3, resetsInMs: 100 } }), cache.stamp(), Infinity, 1000);
    cache.admit('token-a', credential(USER, { budget: { granted: 3, resetsInMs: 90 } }), cache.stamp(), Infinity, 1010);
    expect([1, 2, 3, 4].map(() => cache.spend(USER, 1050))).toEqual([true, true, true, true]);
    expect(cache.spend(USER, 1050)).toBe(false);
    cache.admit('token-a', credential(USER, { budget: { granted: 5, resetsInMs: 100 } }), cache.stamp(), Infinity, 1060);
    expect(cache.spend(USER, 1200)).toBe(false);
  });

  it("identity's CREDENTIALS_CHANGED hint forgets every credential of that user, and only that user", async () => {
    const broadcast = new InProcessBroadcast();
    const cache = new CredentialCache(5000, broadcast);
    cache.admit('token-a', credential(), cache.stamp());
    cache.admit('key-a', credential(USER, { apiKeyId: '0190a0a0-0000-7000-8000-0000000000bb' }), cache.stamp());
    cache.admit('token-b', credential(OTHER), cache.stamp());
    broadcast.publish(CREDENTIALS_CHANGED, { userId: USER });
    await delivered();
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.get('key-a')).toBeUndefined();
    expect(cache.get('token-b')?.userId).toBe(OTHER);
  });

  it('an answer asked for before the hint arrived is not kept (it may predate the change)', async () => {
    const broadcast = new InProcessBroadcast();
    const cache = new CredentialCache(5000, broadcast);
    const stamp = cache.stamp();
    broadcast.publish(CREDENTIALS_CHANGED, { userId: USER });
    await delivered();
    cache.admit('token-a', credential(), stamp);
    expect(cache.get('token-a')).toBeUndefined();
    cache.admit('token-a', credential(), cache.stamp());
    expect(cache.get('token-a')).toBeDefined();
  });

  it("REQUEST_BUDGET_SPENT drops the user's lease but keeps the credential", async () => {
    const broadcast = new InProcessBroadcast();
    const cache = new CredentialCache(5000, broadcast);
    cache.admit('token-a', credential(), cache.stamp());
    broadcast.publish(REQUEST_BUDGET_SPENT, { userId: USER });
    await delivered();
    expect(cache.spend(USER)).toBe(false);
    expect(cache.get('token-a')).toBeDefined();
  });

  it('clear() forgets every credential and lease, and refuses answers asked for before it', () => {
    const cache = new CredentialCache(5000, new InProcessBroadcast());
    cache.admit('token-a', credential(), cache.stamp());
    const stamp = cache.stamp();
    cache.clear();
    expect(cache.get('token-a')).toBeUndefined();
    expect(cache.spend(USER)).toBe(false);
    cache.admit('token-a', credential(), stamp);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('is off with a TTL of 0, or without the broadcast that keeps it honest', () => {
    for (const cache of [new CredentialCache(0, new InProcessBroadcast()), new CredentialCache(5000, undefined)]) {
      expect(cache.enabled).toBe(false);
      cache.admit('token-a', credential(), cache.stamp());
      expect(cache.get('token-a')).toBeUndefined();
    }
  });
});
