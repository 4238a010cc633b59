import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableOwnerRowSecurity, enableOwnerRowSecurity } from '#persistence';

/**
 * Each table with the column naming the user who owns a row. A user owns their own account row
 * (keyed by id). Left out: audit_log (the security record about users, written for no user or by
 * an admin about someone else, read only by admins, append-only by trigger), and the tables that
 * belong to no user (system_settings, oidc_states, rate_limits).
 */
const TABLES: Array<[table: string, ownerColumn: string]> = [
  ['users', 'id'],
  ['refresh_tokens', 'user_id'],
  ['api_keys', 'user_id'],
  ['user_settings', 'user_id'],
  ['provider_keys', 'user_id'],
  ['projects', 'owner_id'],
  ['notifications', 'user_id'],
];

/** The identity service's role sees and writes only the acting user's account, sessions, keys, settings, projects and notifications. */
export class RowLevelSecurity1768000000000 implements MigrationInterface {
  name = 'RowLevelSecurity1768000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, ownerColumn] of TABLES) await enableOwnerRowSecurity(q, 'identity', table, ownerColumn);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of [...TABLES].reverse()) await disableOwnerRowSecurity(q, 'identity', table);
  }
}
