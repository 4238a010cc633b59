import { DecryptionError, type Keyring } from '#crypto';
import { rootLogger } from '#observability';
import type { DataSource } from 'typeorm';
import { providerKeyAad } from './provider-key.crypto.js';

export interface RotationReport {
  /** Re-encrypted under the primary key. */
  rewrapped: number;
  /** Could not be opened with any configured key; left as they are. */
  failed: number;
  primaryKeyId: string;
}

interface Row {
  id: string;
  user_id: string;
  provider: string;
  key_id: string;
  ciphertext: Buffer;
}

/**
 * Re-wraps every provider key that is not under the primary master key, in batches, each batch
 * in its own transaction with its rows locked (SKIP LOCKED, so a running service is not blocked).
 * Safe to run again at any time: rows already under the primary key are not touched. Once it
 * reports no failures, the old keys can be removed from ENCRYPTION_KEYS.
 */
export async function rotateProviderKeys(dataSource: DataSource, keyring: Keyring, batchSize = 200): Promise<RotationReport> {
  const log = rootLogger().child({ component: 'rotate-keys' });
  const report: RotationReport = { rewrapped: 0, failed: 0, primaryKeyId: keyring.primaryKeyId };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const done = await dataSource.transaction(async (manager) => {
      const rows: Row[] = await manager.query(
        `SELECT "id", "user_id", "provider", "key_id", "ciphertext" FROM "identity"."provider_keys"
         WHERE "key_id" <> $1 AND "id" > $2 ORDER BY "id" LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [keyring.primaryKeyId, after, batchSize],
      );
      for (const row of rows) {
        const aad = providerKeyAad(row.user_id, row.provider);
        try {
          const sealed = keyring.rewrap({ keyId: row.key_id, ciphertext: row.ciphertext }, aad);
          await manager.query(`UPDATE "identity"."provider_keys" SET "key_id" = $2, "ciphertext" = $3, "updated_at" = now() WHERE "id" = $1`, [row.id, sealed.keyId, sealed.ciphertext]);
          report.rewrapped += 1;
        } catch (err) {
          if (!(err instanceof DecryptionError)) throw err;
          report.failed += 1;
          // Ids only: never the ciphertext or anything derived from the key.
          log.warn({ providerKeyId: row.id, keyId: row.key_id, reason: err.reason }, 'provider key could not be re-wrapped');
        }
      }
      if (rows.length > 0) after = rows[rows.length - 1].id;
      return rows.length < batchSize;
    });
    if (done) return report;
  }
}
