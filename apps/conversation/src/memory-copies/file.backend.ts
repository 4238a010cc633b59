import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { walkBranch } from './in-memory.backend.js';
import type { MemoryBackend, StoredMessage, StoredSummary } from './memory-backend.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogLine {
  ownerId: string;
  message: StoredMessage;
}

/**
 * One folder per conversation: messages.jsonl (append-only, one written message a line; the
 * last line is the current leaf) and summary.json. Survives restarts without a database.
 */
export class FileBackend implements MemoryBackend {
  constructor(private readonly dir: string) {}

  async branch(ownerId: string, conversationId: string, leafId?: string): Promise<StoredMessage[] | null> {
    const lines = await this.readLog(conversationId);
    if (lines === null || lines.length === 0 || lines[0].ownerId !== ownerId) return null;
    const messages = new Map(lines.map((l) => [l.message.id, l.message]));
    return walkBranch(messages, leafId ?? lines[lines.length - 1].message.id);
  }

  async record(ownerId: string, conversationId: string, message: StoredMessage): Promise<void> {
    await mkdir(this.folder(conversationId), { recursive: true });
    const line: LogLine = { ownerId, message };
    await appendFile(join(this.folder(conversationId), 'messages.jsonl'), `${JSON.stringify(line)}\n`, 'utf8');
  }

  async readSummary(conversationId: string): Promise<StoredSummary | null> {
    try {
      return JSON.parse(await readFile(join(this.folder(conversationId), 'summary.json'), 'utf8')) as StoredSummary;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async writeSummary(conversationId: string, summary: StoredSummary): Promise<void> {
    await mkdir(this.folder(conversationId), { recursive: true });
    // Write-then-rename would be atomic; a torn summary is only a lost summary, so plain write is kept.
    await writeFile(join(this.folder(conversationId), 'summary.json'), JSON.stringify(summary), 'utf8');
  }

  private folder(conversationId: string): string {
    // Ids become path segments: only a UUID can, so no id can walk out of the folder.
    if (!UUID.test(conversationId)) throw new Error('conversation ids must be UUIDs');
    return join(this.dir, conversationId);
  }

  private async readLog(conversationId: string): Promise<LogLine[] | null> {
    try {
      const text = await readFile(join(this.folder(conversationId), 'messages.jsonl'), 'utf8');
      return text
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as LogLine);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }
}
