import type { MigrationInterface, QueryRunner } from 'typeorm';
import { disableCarriedOwnerRowSecurity, disableOwnerRowSecurity, disableParentRowSecurity, enableCarriedOwnerRowSecurity, enableOwnerRowSecurity, enableParentRowSecurity } from '#persistence';

const OWNED = ['sessions', 'usage_daily', 'webhook_secrets', 'run_webhook_deliveries'];
/** Keyed by their run: a row is the acting user's when its run is (runs' own policies decide). */
const OF_A_RUN = ['run_steps'];

/**
 * The execution service's role sees and writes only the acting user's sessions, daily usage,
 * webhook secret and deliveries, and the steps and events of that user's runs. Steps follow their
 * run (the run's lookup by primary key is what each check costs). Events carry their run's owner:
 * a run's first events are written by the statement that writes the run, which a policy looking
 * the run up could not see; the column is filled on insert, and bound to the run's owner by a key.
 */
export class RunDataRowLevelSecurity1768100000500 implements MigrationInterface {
  name = 'RunDataRowLevelSecurity1768100000500';

  async up(q: QueryRunner): Promise<void> {
    for (const table of OWNED) await enableOwnerRowSecurity(q, 'execution', table);
    for (const table of OF_A_RUN) await enableParentRowSecurity(q, 'execution', table, 'run_id', 'runs');
    await enableCarriedOwnerRowSecurity(q, 'execution', 'run_events', 'run_id', 'runs');
  }

  async down(q: QueryRunner): Promise<void> {
    await disableCarriedOwnerRowSecurity(q, 'execution', 'run_events', 'runs');
    for (const table of [...OF_A_RUN].reverse()) await disableParentRowSecurity(q, 'execution', table);
    for (const table of [...OWNED].reverse()) await disableOwnerRowSecurity(q, 'execution', table);
  }
}
