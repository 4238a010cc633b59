import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableParentRowSecurity, enableParentRowSecurity } from '#persistence';

/** [table, its parent column, the parent table]: rows visible when their parent is. */
const CHILDREN = [
  ['summaries', 'conversation_id', 'conversations'],
  ['attachment_contents', 'attachment_id', 'attachments'],
] as const;

/** The conversation service's role sees and writes only the summaries of the acting user's conversations and the bytes of their attachments. */
export class ChildrenRowLevelSecurity1768200000300 implements MigrationInterface {
  name = 'ChildrenRowLevelSecurity1768200000300';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, column, parent] of CHILDREN) await enableParentRowSecurity(q, 'conversation', table, column, parent);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of [...CHILDREN].reverse()) await disableParentRowSecurity(q, 'conversation', table);
  }
}
