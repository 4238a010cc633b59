import type { Broadcast } from './broadcast.js';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * Answers another service gave, kept in this replica's memory in groups (a user's keys, an
 * agent's versions) that the other service's broadcast drops at once when what they answer from
 * changed. A broadcast is a hint: a replica that misses one keeps an entry for at most `ttlMs`.
 * A load that started before a group was dropped must not put the older answer back: take a
 * stamp() before asking and pass it to set(), which refuses it if the group was dropped since.
 */
export class HintedCache<V> {
  private readonly groups = new Map<string, Map<string, Entry<V>>>();
  private readonly droppedAt = new Map<string, number>();
  private sequence = 0;
  /** Stamps older than this cannot be checked any more (the marks were cleared): refused. */
  private clearedAt = 0;

  constructor(
    readonly ttlMs: number,
    /** Groups kept at most; the least recently stored go first. */
    private readonly maxGroups = 10_000,
  ) {}

  /** Drops a group whenever `subject` is broadcast with the group's id in `field`; answers the unsubscribe. */
  listen(broadcast: Broadcast, subject: string, field: string): () => void {
    return broadcast.subscribe<Record<string, unknown>>(subject, (hint) => {
      const group = hint?.[field];
      if (typeof group === 'string') this.drop(group);
    });
  }

  /** The kept answer, wrapped (an answer may itself be undefined); undefined when there is none or it expired. */
  get(group: string, key: string, now = Date.now()): { value: V } | undefined {
    const entry = this.groups.get(group)?.get(key);
    return entry && entry.expiresAt > now ? { value: entry.value } : undefined;
  }

  /** Take this before asking; pass it to set(). */
  stamp(): number {
    return this.sequence;
  }

  set(group: string, key: string, value: V, stamp: number, now = Date.now()): boolean {
    if (this.ttlMs === 0 || stamp < this.clearedAt || (this.droppedAt.get(group) ?? 0) > stamp) return false;
    const entries = this.groups.get(group) ?? new Map<string, Entry<V>>();
    entries.set(key, { value, expiresAt: now + this.ttlMs });
    // Map keeps insertion order: re-inserted, the group is the newest; the oldest go past the bound.
    this.groups.delete(group);
    this.groups.set(group, entries);
    while (this.groups.size > this.maxGroups) {
      const oldest = this.groups.keys().next().value;
      if (oldest === undefined) break;
      this.groups.delete(oldest);
    }
    return true;
  }

  /** Forgets a group, and refuses what loads in flight would store in it. */
  drop(group: string): void {
    this.groups.delete(group);
    this.sequence += 1;
    this.droppedAt.set(group, this.sequence);
    // Only loads in flight need the marks; keep the map from growing with every group ever dropped.
    if (this.droppedAt.size > this.maxGroups) {
      this.droppedAt.clear();
      this.clearedAt = this.sequence;
    }
  }
}
