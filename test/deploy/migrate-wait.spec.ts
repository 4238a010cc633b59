import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '#testing';
import { migrateAll, pendingMigrations } from '../../scripts/migrate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The init container every Deployment runs (`migrate.js --wait`): it lets a pod start only once
 * the release's migrate Job has applied every migration the pod's image knows.
 */
describe('migrate.js --wait', () => {
  it('waits while any schema has a pending migration, and exits 0 once the migrate Job applied them', async () => {
    const url = await createTestDatabase('migwait');
    const pending = await pendingMigrations(url);
    expect(Object.keys(pending).sort()).toEqual(['agent', 'conversation', 'execution', 'identity', 'integration', 'workflow']);

    const waiter = spawn(process.execPath, ['dist/scripts/migrate.js', '--wait'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => waiter.on('exit', resolve));
    waiter.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    waiter.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      // It says what it waits for, naming the schemas, instead of exiting.
      while (!output.includes('waiting for the migrate Job')) {
        if (waiter.exitCode !== null) throw new Error(`exited early (${waiter.exitCode}): ${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(output).toContain('"identity"');
      expect(waiter.exitCode).toBeNull();

      await migrateAll(url);
      expect(await pendingMigrations(url)).toEqual({});
      expect(await exited).toBe(0);
      expect(output).toContain('every schema is migrated');
    } finally {
      waiter.kill('SIGKILL');
    }
  });
});
