import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableParentRowSecurity, enableParentRowSecurity } from '#persistence';

/** [table, its parent column, the parent table]: rows visible when their parent is. */
const CHILDREN = [
  ['workflow_versions', 'workflow_id', 'workflows'],
  ['webhook_deliveries', 'trigger_id', 'webhook_triggers'],
  ['public_link_runs', 'link_id', 'public_links'],
  ['schedule_fires', 'schedule_id', 'schedules'],
] as const;

/** The workflow service's role sees and writes only the versions, delivery ids, link runs and schedule ticks of the acting user's workflows and triggers. */
export class ChildrenRowLevelSecurity1768200000200 implements MigrationInterface {
  name = 'ChildrenRowLevelSecurity1768200000200';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, column, parent] of CHILDREN) await enableParentRowSecurity(q, 'workflow', table, column, parent);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of [...CHILDREN].reverse()) await disableParentRowSecurity(q, 'workflow', table);
  }
}
