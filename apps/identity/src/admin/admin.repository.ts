import { Injectable } from '@nestjs/common';
import { Database, newId } from '#persistence';
import { SystemSettingEntity } from './system-setting.entity.js';

@Injectable()
export class AdminRepository {
  constructor(private readonly database: Database) {}

  getSetting(key: string): Promise<SystemSettingEntity | null> {
    return this.database.repository(SystemSettingEntity).findOneBy({ key });
  }

  /**
   * Insert or replace in one statement, so two first writes of a key cannot collide. Plain SQL:
   * the Repository API's upsert would overwrite the row's id too.
   */
  async putSetting(key: string, value: unknown, updatedBy: string): Promise<SystemSettingEntity> {
    const [setting] = await this.database.rows(
      SystemSettingEntity,
      `INSERT INTO identity.system_settings (id, key, value, updated_by) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT ON CONSTRAINT system_settings_key_uq DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()
       RETURNING *`,
      [newId(), key, JSON.stringify(value), updatedBy],
    );
    return setting;
  }

  /** Serialises first-superuser creation across identity replicas starting together, until the caller's transaction ends. */
  async lockBootstrap(): Promise<void> {
    await this.database.query(`SELECT pg_advisory_xact_lock(hashtext('identity:first-superuser'))`);
  }
}
