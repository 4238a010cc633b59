import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableCarriedOwnerRowSecurity, disableOwnerRowSecurity, disableParentRowSecurity, enableCarriedOwnerRowSecurity, enableOwnerRowSecurity, enableParentRowSecurity } from '#persistence';

/** [table, its parent column, the parent table]: rows visible when their parent is. */
const CHILDREN = [['chunk_embeddings', 'knowledge_base_id', 'knowledge_bases']] as const;

/**
 * The agent service's role sees and writes only the acting user's prompt templates (the built-in
 * ones, which have no owner, every user may read and none may change), agent versions and chunk
 * vectors (those of the user's agents and knowledge bases). A version carries its agent's owner:
 * an agent's first version is written by the statement that writes the agent (POST /agents is one
 * statement), which a policy looking the agent up could not see.
 */
export class VersionsTemplatesEmbeddingsRowLevelSecurity1768200000100 implements MigrationInterface {
  name = 'VersionsTemplatesEmbeddingsRowLevelSecurity1768200000100';

  async up(q: QueryRunner): Promise<void> {
    await enableOwnerRowSecurity(q, 'agent', 'templates', 'owner_id', { readableByAll: '"owner_id" IS NULL' });
    for (const [table, column, parent] of CHILDREN) await enableParentRowSecurity(q, 'agent', table, column, parent);
    await enableCarriedOwnerRowSecurity(q, 'agent', 'agent_versions', 'agent_id', 'agents');
  }

  async down(q: QueryRunner): Promise<void> {
    await disableCarriedOwnerRowSecurity(q, 'agent', 'agent_versions', 'agents');
    for (const [table] of [...CHILDREN].reverse()) await disableParentRowSecurity(q, 'agent', table);
    await disableOwnerRowSecurity(q, 'agent', 'templates');
  }
}
