import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderStorage } from './attachment-storage.js';

describe('FolderStorage', () => {
  let dir: string;
  let storage: FolderStorage;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attachments-'));
    storage = new FolderStorage(dir);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts, gets and deletes bytes by key', async () => {
    const key = `${randomUUID()}/${randomUUID()}`;
    await storage.put(key, Buffer.from('hello'));
    expect((await storage.get(key))?.toString()).toBe('hello');
    await storage.delete(key);
    expect(await storage.get(key)).toBeNull();
  });

  it('deletes every key of an owner by prefix', async () => {
    const owner = randomUUID();
    const keys = [`${owner}/${randomUUID()}`, `${owner}/${randomUUID()}`];
    for (const key of keys) await storage.put(key, Buffer.from(key));
    await storage.delete(`${owner}/`);
    for (const key of keys) expect(await storage.get(key)).toBeNull();
  });

  it('refuses keys that are not owner/attachment ids, such as a path out of the root', async () => {
    await expect(storage.get('../../etc/passwd')).rejects.toThrow(/not an attachment storage key/);
    await expect(storage.put('a/b', Buffer.from('x'))).rejects.toThrow(/not an attachment storage key/);
  });
});
