/** An event as its write stored it, with the run's owner (whose live subject it goes out on). */
export interface StoredRunEvent {
  runId: string;
  ownerId: string | null;
  seq: number;
  type: string;
  data: unknown;
  createdAt: Date;
}

/** The columns a write of an event answers (`RETURNING "seq", "type", "data", "created_at"` and the run's owner). */
export interface StoredRow {
  seq: number;
  type: string;
  data: unknown;
  created_at: Date;
  owner_id: string | null;
}

export function storedEvent(runId: string, row: StoredRow): StoredRunEvent {
  return { runId, ownerId: row.owner_id, seq: row.seq, type: row.type, data: row.data, createdAt: row.created_at };
}
