import 'reflect-metadata';
import { Keyring, KeyringConfigError } from '#crypto';
import { createRootLogger, describeError } from '#observability';
import { createServiceDataSource, Database } from '#persistence';
import { loadConfigOrExit } from '#service-kit';
import { identityApp } from '../apps/identity/src/identity.app.js';
import { rotateProviderKeys } from '../apps/identity/src/settings/provider-key-rotation.js';

/**
 * `npm run rotate-keys`: re-encrypts every stored provider key under the first key of
 * ENCRYPTION_KEYS. Rotate by putting a new key first and keeping the old ones after it, restart
 * the services (new writes use the new key, old data still reads), run this, then drop the old
 * keys once it reports no failures. Safe to run again; running services need not stop.
 */
if (process.argv[1]?.endsWith('rotate-keys.js')) {
  const config = loadConfigOrExit('rotate-keys');
  const log = createRootLogger(config.logLevel, { app: 'rotate-keys' }, config.logFormat);
  let keyring: Keyring | undefined;
  try {
    keyring = Keyring.parse(process.env.ENCRYPTION_KEYS, 'ENCRYPTION_KEYS');
  } catch (err) {
    if (!(err instanceof KeyringConfigError)) throw err;
    process.stderr.write(`rotate-keys: ${err.message}\n`);
    process.exit(78);
  }
  if (!config.databaseUrl || !keyring) {
    process.stderr.write(`rotate-keys: ${!config.databaseUrl ? 'DATABASE_URL' : 'ENCRYPTION_KEYS'} is required\n`);
    process.exit(78);
  }
  const dataSource = createServiceDataSource({ url: config.databaseUrl, schema: 'identity', entities: identityApp.entities, migrations: [], poolSize: 2 });
  const ring = keyring;
  dataSource
    .initialize()
    .then(() => rotateProviderKeys(new Database(dataSource), ring))
    .then(
      async (report) => {
        await dataSource.destroy();
        log.info(report, 'provider keys re-wrapped');
        process.stdout.write(`${JSON.stringify(report)}\n`);
        process.exit(report.failed > 0 ? 2 : 0);
      },
      (err: unknown) => {
        log.fatal(describeError(err), 'key rotation failed');
        process.exit(1);
      },
    );
}
