import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

/**
 * Where attachment bytes live, by key. A folder by default; an object store (S3 and the like)
 * fits the same three calls, with the key as the object name.
 */
export interface AttachmentStorage {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** Deletes one key, or every key under a prefix ending in "/"; missing keys are not an error. */
  delete(keyOrPrefix: string): Promise<void>;
}

export const ATTACHMENT_STORAGE = Symbol('ATTACHMENT_STORAGE');

/** Keys are "<ownerId>/<attachmentId>": one folder per user, so account deletion is one rm. */
const KEY = /^[0-9a-f-]{36}\/(?:[0-9a-f-]{36})?$/;

export class FolderStorage implements AttachmentStorage {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Written aside and renamed, so a reader never sees half a file.
    const partial = `${path}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(keyOrPrefix: string): Promise<void> {
    await rm(this.pathOf(keyOrPrefix), { recursive: keyOrPrefix.endsWith('/'), force: true });
  }

  /** Only keys this service makes are accepted, so no key can name a path outside the root. */
  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not an attachment storage key: ${key}`);
    const path = join(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('attachment key escapes the storage root');
    return path;
  }
}
