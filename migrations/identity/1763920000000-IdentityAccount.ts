import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables of the identity account (settings, projects, notifications) features. */
export class IdentityAccount1763920000000 implements MigrationInterface {
  name = 'IdentityAccount1763920000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
