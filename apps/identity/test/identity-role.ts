import { randomBytes } from 'node:crypto';
import { createServiceDataSource, derivedRoleName, migrateSchema, provisionServiceRoles, urlWithLogin } from '#persistence';
import { identityApp } from '../src/identity.app.js';

/**
 * The identity schema migrated through the test database's privileged login, and the URL of the
 * identity service's own role on it, as the migrate step leaves a deployment: a service started on
 * it is under row-level security, so every use case the specs call must act for the right user or
 * name its system path.
 */
export async function identityRoleUrl(adminUrl: string): Promise<string> {
  const admin = createServiceDataSource({ url: adminUrl, schema: 'identity', entities: identityApp.entities, migrations: identityApp.migrations, poolSize: 2 });
  await admin.initialize();
  try {
    await migrateSchema(admin);
  } finally {
    await admin.destroy();
  }
  const database = decodeURIComponent(new URL(adminUrl).pathname.slice(1));
  const role = { schema: 'identity', user: derivedRoleName(database, 'identity'), password: randomBytes(18).toString('hex') };
  await provisionServiceRoles(adminUrl, [role]);
  return urlWithLogin(adminUrl, role.user, role.password);
}
