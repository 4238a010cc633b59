import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the identity access (API keys, audit log, ...) features. */
export class IdentityAccess1763910000000 implements MigrationInterface {
  name = 'IdentityAccess1763910000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
