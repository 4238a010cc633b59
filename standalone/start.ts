import 'reflect-metadata';
import { ConfigError, loadAgentConfig, loadConfig, loadConversationConfig, loadExecutionConfig, loadIdentityConfig, type PlatformConfig } from '#config';
import { createRootLogger } from '#observability';
import { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database.js';

/**
 * Every setting of every service is checked before anything starts, as `loadConfigOrExit` does for
 * a service process; this one reads only what the check needs, so a bad variable is named at once.
 */
function checkConfigOrExit(check: () => PlatformConfig): PlatformConfig {
  try {
    return check();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`platform: ${err.message}\nSee the configuration table in README.md.\n`);
    process.exit(78); // EX_CONFIG
  }
}

const config = checkConfigOrExit(() => {
  const loaded = loadConfig();
  for (const load of [loadAgentConfig, loadIdentityConfig, loadConversationConfig, loadExecutionConfig]) load(process.env);
  createRootLogger(loaded.logLevel, { app: 'platform' }, loaded.logFormat);
  return loaded;
});
const { checkModelSettings } = await import('#llm');
checkConfigOrExit(() => {
  checkModelSettings();
  return config;
});

// The embedded PostgreSQL starts in its own process while this one loads the services: loading
// them holds this thread, so it waits until initdb or postgres runs (or the start failed).
let database: Promise<EmbeddedDatabase> | undefined;
if (!config.databaseUrl) {
  let running: () => void = () => undefined;
  const processStarted = new Promise<void>((resolve) => (running = resolve));
  database = startEmbeddedDatabase(config.dataDir, config.embeddedPostgresPort, () => running());
  database.catch(() => undefined); // awaited, and reported, by runPlatform
  await Promise.race([processStarted, database.then(() => undefined, () => undefined)]);
}
const { runPlatform } = await import('./platform.js');
runPlatform(config, database);
