import { DecryptionError, type Keyring } from '#crypto';
import { rootLogger } from '#observability';
import { ActingUser, type Database } from '#persistence';
import { ProviderKeyEntity } from './provider-key.entity.js';
import { providerKeyAad } from './provider-key.crypto.js';

export interface RotationReport {
  /** Re-encrypted under the primary key. */
  rewrapped: number;
  /** Could not be opened with any configured key; left as they are. */
  failed: number;
  primaryKeyId: string;
}

/**
 * Re-wraps every provider key that is not under the primary master key, in batches, each batch
 * in its own transaction with its rows locked (SKIP LOCKED, so a running service is not blocked).
 * Safe to run again at any time: rows already under the primary key are not touched. Once it
 * reports no failures, the old keys can be removed from ENCRYPTION_KEYS. Run by
 * `npm run rotate-keys`, outside the service, on a Database that knows identity's entities.
 */
export function rotateProviderKeys(database: Database, keyring: Keyring, batchSize = 200): Promise<RotationReport> {
  // Run with identity's own login, row-level security would show it no one's keys.
  return ActingUser.system('rotate-keys: re-wrap every user\'s provider keys', () => rewrapAll(database, keyring, batchSize));
}

async function rewrapAll(database: Database, keyring: Keyring, batchSize: number): Promise<RotationReport> {
  const log = rootLogger().child({ component: 'rotate-keys' });
  const report: RotationReport = { rewrapped: 0, failed: 0, primaryKeyId: keyring.primaryKeyId };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const done = await database.transaction(async () => {
      // Plain SQL: the Repository API cannot say SKIP LOCKED.
      const rows = await database.rows(
        ProviderKeyEntity,
        `SELECT * FROM identity.provider_keys WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [keyring.primaryKeyId, after, batchSize],
      );
      for (const row of rows) {
        try {
          const sealed = keyring.rewrap({ keyId: row.keyId, ciphertext: row.ciphertext }, providerKeyAad(row.userId, row.provider));
          await database.repository(ProviderKeyEntity).update({ id: row.id }, { keyId: sealed.keyId, ciphertext: sealed.ciphertext });
          report.rewrapped += 1;
        } catch (err) {
          if (!(err instanceof DecryptionError)) throw err;
          report.failed += 1;
          // Ids only: never the ciphertext or anything derived from the key.
          log.warn({ providerKeyId: row.id, keyId: row.keyId, reason: err.reason }, 'provider key could not be re-wrapped');
        }
      }
      if (rows.length > 0) after = rows[rows.length - 1].id;
      return rows.length < batchSize;
    });
    if (done) return report;
  }
}
