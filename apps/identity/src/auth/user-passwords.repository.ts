import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Password writes, kept beside the sessions they end. */
@Injectable()
export class UserPasswordsRepository {
  async setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.query(`UPDATE identity.users SET password_hash = $2, updated_at = now() WHERE id = $1`, [userId, passwordHash]);
  }

  /** Ends every session of the user except `keepFamilyId` (null ends them all). */
  async revokeSessionsExcept(manager: EntityManager, userId: string, keepFamilyId: string | null): Promise<number> {
    const result: [unknown[], number] = await manager.query(
      `UPDATE identity.refresh_tokens SET revoked_at = now(), updated_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)`,
      [userId, keepFamilyId],
    );
    return result[1];
  }
}
