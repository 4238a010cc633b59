import type { OnModuleDestroy } from '@nestjs/common';
import { CREDENTIALS_CHANGED, type CredentialsHint, REQUEST_BUDGET_SPENT, type VerifiedCredential } from '#contracts';
import type { Broadcast } from '#messaging';

interface Entry {
  credential: VerifiedCredential;
  expiresAt: number;
}

interface Lease {
  /** Requests of the user's budget this replica took from identity and has not spent yet. */
  left: number;
  /** When identity's budget window (and with it the lease) ends. */
  endsAt: number;
}

/** How many credentials (and users' leases) one replica keeps; the oldest go first. */
const MAX_ENTRIES = 10_000;

/**
 * Credentials identity verified, in this gateway replica's memory, with the share of each user's
 * request budget identity handed out with them (see identity's ThrottlingService.lease).
 *
 * Invalidation: identity broadcasts CREDENTIALS_CHANGED once a logout, a key's revocation, a
 * password change, a deactivation, a deletion or a superuser change committed, before it answers
 * the request that made it; every replica forgets the user's entries, so the change holds on
 * the next request everywhere. A broadcast is a hint: a replica that misses one (disconnected at
 * that moment) keeps an entry for at most `ttlMs`. An entry never outlives the credential itself
 * (the token's `exp`, the key's expiry).
 *
 * A check that started before an invalidation must not put the older answer back: take a
 * stamp() before asking identity and pass it to admit(), which refuses it if the user was
 * invalidated since.
 */
export class CredentialCache implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly leases = new Map<string, Lease>();
  private readonly invalidatedAt = new Map<string, number>();
  private sequence = 0;
  /** Stamps older than this cannot be checked any more (the marks were cleared): refused. */
  private clearedAt = 0;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    readonly ttlMs: number,
    broadcast: Broadcast | undefined,
  ) {
    // Without the hints there is nothing to keep an entry honest: no cache.
    if (!broadcast) this.ttlMs = 0;
    if (!broadcast || ttlMs === 0) return;
    this.unsubscribe.push(
      broadcast.subscribe<CredentialsHint>(CREDENTIALS_CHANGED, (hint) => {
        if (typeof hint?.userId === 'string') this.forgetUser(hint.userId);
      }),
      broadcast.subscribe<CredentialsHint>(REQUEST_BUDGET_SPENT, (hint) => {
        if (typeof hint?.userId === 'string') this.leases.delete(hint.userId);
      }),
    );
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
  }

  /** The verified credential for what the client presented, if this replica still trusts it. */
  get(presented: string, now = Date.now()): VerifiedCredential | undefined {
    const entry = this.entries.get(presented);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(presented);
      return undefined;
    }
    return entry.credential;
  }

  /** Forgets everything (the hints that keep it honest may have been missed). */
  clear(): void {
    this.entries.clear();
    this.leases.clear();
    this.sequence += 1;
    this.invalidatedAt.clear();
    this.clearedAt = this.sequence;
  }

  /** Spends one request of the user's lease; false when none is left (ask identity). */
  spend(userId: string, now = Date.now()): boolean {
    const lease = this.leases.get(userId);
    if (!lease || lease.left <= 0 || lease.endsAt <= now) return false;
    lease.left -= 1;
    return true;
  }

  /** Take this before asking identity; pass it to admit(). */
  stamp(): number {
    return this.sequence;
  }

  /**
   * Keeps identity's answer (until `credentialExpiresAt` at the latest) and the lease that came
   * with it, less the request it was asked for. Refused when the user was invalidated since `stamp`.
   */
  admit(presented: string, credential: VerifiedCredential, stamp: number, credentialExpiresAt = Infinity, now = Date.now()): void {
    if (this.ttlMs === 0 || stamp < this.clearedAt || (this.invalidatedAt.get(credential.userId) ?? 0) > stamp) return;
    const keyExpiry = credential.expiresAt ? Date.parse(credential.expiresAt) : Infinity;
    const expiresAt = Math.min(now + this.ttlMs, credentialExpiresAt, keyExpiry);
    if (expiresAt <= now) return;
    this.entries.delete(presented);
    this.entries.set(presented, { credential, expiresAt });
    trim(this.entries);
    if (credential.budget && credential.budget.granted > 1) {
      const held = this.leases.get(credential.userId);
      const left = (held && held.endsAt > now ? held.left : 0) + credential.budget.granted - 1;
      this.leases.delete(credential.userId);
      this.leases.set(credential.userId, { left, endsAt: now + credential.budget.resetsInMs });
      trim(this.leases);
    }
  }

  private forgetUser(userId: string): void {
    for (const [presented, entry] of this.entries) if (entry.credential.userId === userId) this.entries.delete(presented);
    this.sequence += 1;
    this.invalidatedAt.set(userId, this.sequence);
    // Only checks in flight need the marks; keep the map from growing with every user ever changed.
    if (this.invalidatedAt.size > MAX_ENTRIES) {
      this.invalidatedAt.clear();
      this.clearedAt = this.sequence;
    }
  }
}

/** Map keeps insertion order: the first key is the oldest entry. */
function trim<V>(map: Map<string, V>): void {
  while (map.size > MAX_ENTRIES) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
