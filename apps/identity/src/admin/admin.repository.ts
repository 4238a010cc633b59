import { Inject, Injectable } from '@nestjs/common';
import { newId } from '#persistence';
import { DATA_SOURCE } from '#service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import { SystemSettingEntity } from './system-setting.entity.js';

/** A user as the admin pages see it (external_provider is not part of the users feature's entity). */
export interface AdminUserRow {
  id: string;
  email: string;
  name: string | null;
  isActive: boolean;
  isSuperuser: boolean;
  externalProvider: string | null;
  createdAt: Date;
}

const USER_COLUMNS = `id, email, name, is_active AS "isActive", is_superuser AS "isSuperuser", external_provider AS "externalProvider", created_at AS "createdAt"`;

/** `%` and `_` in a search are literal characters, not wildcards. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class AdminRepository {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Oldest first, paged by id (time-ordered). */
  listUsers(filter: { q?: string; after?: string; limit: number }): Promise<AdminUserRow[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.q) {
      params.push(likePattern(filter.q));
      where.push(`(email ILIKE $${params.length} OR name ILIKE $${params.length})`);
    }
    if (filter.after) {
      params.push(filter.after);
      where.push(`id > $${params.length}`);
    }
    params.push(filter.limit);
    return this.dataSource.query(
      `SELECT ${USER_COLUMNS} FROM identity.users ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
      params,
    );
  }

  async updateUser(manager: EntityManager, id: string, changes: { isActive?: boolean; isSuperuser?: boolean }): Promise<AdminUserRow | null> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [AdminUserRow[], number] = await manager.query(
      `UPDATE identity.users SET is_active = COALESCE($2, is_active), is_superuser = COALESCE($3, is_superuser), updated_at = now()
        WHERE id = $1 RETURNING ${USER_COLUMNS}`,
      [id, changes.isActive ?? null, changes.isSuperuser ?? null],
    );
    return rows[0] ?? null;
  }

  async anySuperuser(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM identity.users WHERE is_superuser AND is_active LIMIT 1`);
    return rows.length > 0;
  }

  /** Serialises first-superuser creation across identity replicas starting together. */
  async lockBootstrap(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('identity:first-superuser'))`);
  }

  async anySuperuserIn(manager: EntityManager): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM identity.users WHERE is_superuser AND is_active LIMIT 1`);
    return rows.length > 0;
  }

  async findUserIdByEmail(manager: EntityManager, email: string): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(`SELECT id FROM identity.users WHERE lower(email) = lower($1)`, [email]);
    return rows[0]?.id ?? null;
  }

  async makeSuperuser(manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    await manager.query(`UPDATE identity.users SET is_superuser = true, is_active = true, password_hash = $2, updated_at = now() WHERE id = $1`, [id, passwordHash]);
  }

  getSetting(key: string): Promise<SystemSettingEntity | null> {
    return this.dataSource.getRepository(SystemSettingEntity).findOneBy({ key });
  }

  async putSetting(manager: EntityManager, key: string, value: unknown, updatedBy: string): Promise<SystemSettingEntity> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO identity.system_settings (id, key, value, updated_by) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT ON CONSTRAINT system_settings_key_uq DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING id`,
      [newId(), key, JSON.stringify(value), updatedBy],
    );
    return manager.getRepository(SystemSettingEntity).findOneByOrFail({ id: rows[0].id });
  }
}
