import { Inject, Injectable } from '@nestjs/common';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource } from 'typeorm';

export interface SessionState {
  isActive: boolean;
  isSuperuser: boolean;
  /** The refresh-token family still has a live token: not logged out, not revoked, not expired. */
  sessionLive: boolean;
}

export interface ApiKeyState {
  id: string;
  userId: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  isActive: boolean;
  isSuperuser: boolean;
}

/**
 * The queries behind every authenticated request, written as plain SQL through
 * dataSource.query: on this path TypeORM's findOneBy costs about twice the CPU of the same query.
 */
@Injectable()
export class CredentialsRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async session(userId: string, sessionId: string): Promise<SessionState | null> {
    const rows: { is_active: boolean; is_superuser: boolean; session_live: boolean }[] = await this.dataSource.query(
      `SELECT u.is_active, u.is_superuser,
              EXISTS (SELECT 1 FROM identity.refresh_tokens t
                       WHERE t.family_id = $2 AND t.user_id = u.id AND t.revoked_at IS NULL AND t.expires_at > now()) AS session_live
         FROM identity.users u WHERE u.id = $1`,
      [userId, sessionId],
    );
    const row = rows[0];
    return row ? { isActive: row.is_active, isSuperuser: row.is_superuser, sessionLive: row.session_live } : null;
  }

  async apiKey(hash: Buffer): Promise<ApiKeyState | null> {
    const rows: { id: string; user_id: string; scopes: string[]; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null; is_active: boolean; is_superuser: boolean }[] =
      await this.dataSource.query(
        `SELECT k.id, k.user_id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, u.is_active, u.is_superuser
           FROM identity.api_keys k JOIN identity.users u ON u.id = k.user_id
          WHERE k.key_hash = $1`,
        [hash],
      );
    const row = rows[0];
    return row
      ? { id: row.id, userId: row.user_id, scopes: row.scopes, expiresAt: row.expires_at, revokedAt: row.revoked_at, lastUsedAt: row.last_used_at, isActive: row.is_active, isSuperuser: row.is_superuser }
      : null;
  }

  /** Guarded by the age check, so a busy key costs one write a minute, not one per request. */
  async touchApiKey(id: string, staleAfterSeconds: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE identity.api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, staleAfterSeconds],
    );
  }
}
