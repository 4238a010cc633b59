import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Single-process mode needs a token key without asking for one: it is made once, kept in
 * DATA_DIR (readable by the owner only), so sessions survive a restart.
 */
export async function loadOrCreateLocalSecret(dataDir: string, name: string): Promise<string> {
  const file = resolve(dataDir, 'secrets.json');
  let secrets: Record<string, string> = {};
  try {
    secrets = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    // First start (or an unreadable file, which is replaced).
  }
  if (typeof secrets[name] === 'string' && secrets[name].length >= 32) return secrets[name];
  secrets[name] = randomBytes(32).toString('hex');
  await mkdir(resolve(dataDir), { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets[name];
}
