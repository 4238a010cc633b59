import 'reflect-metadata';
import { loadAgentConfig, loadConversationConfig, loadExecutionConfig, loadIdentityConfig } from '#config';
import { checkModelSettings } from '#llm';
import { rootLogger } from '#observability';
import { loadConfigOrExit, type RunningService, Runtime, runUntilSignalled, startBusService } from '#service-kit';
import { API_PREFIX, createGateway, listenGateway } from '../apps/gateway/src/gateway.bootstrap.js';
import { ALL_SERVICES } from './apps.js';
import { type EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database.js';
import { loadOrCreateLocalSecret } from './local-secret.js';

/** `npm start`: the gateway and every service in one process, with zero configuration. */
const loaded = loadConfigOrExit('platform', undefined, [loadAgentConfig, loadIdentityConfig, loadConversationConfig, loadExecutionConfig, checkModelSettings]);
runUntilSignalled(async () => {
  const log = rootLogger();
  let embedded: EmbeddedDatabase | undefined;
  const config = { ...loaded };
  if (!config.databaseUrl) {
    embedded = await startEmbeddedDatabase(config.dataDir, config.embeddedPostgresPort);
    config.databaseUrl = embedded.url;
    log.info({ dataDir: config.dataDir, port: config.embeddedPostgresPort }, 'using the embedded PostgreSQL (set DATABASE_URL to use your own)');
  }
  config.jwtSecret ??= await loadOrCreateLocalSecret(config.dataDir, 'jwtSecret');
  // Provider keys are encrypted at rest; a zero-configuration start keeps its own master key too.
  process.env.ENCRYPTION_KEYS ??= `local:${Buffer.from(await loadOrCreateLocalSecret(config.dataDir, 'encryptionKey'), 'hex').toString('base64')}`;

  const runtime = await Runtime.create(config, 'platform');
  const services: RunningService[] = [];
  const stop = async () => {
    for (const service of services.reverse()) await service.close();
    await runtime.close();
    await embedded?.stop();
  };
  try {
    for (const definition of ALL_SERVICES) services.push(await startBusService(definition, runtime));
    const gateway = await createGateway(config, runtime.client);
    const url = await listenGateway(gateway, config);
    log.info(
      { api: `${url}/${API_PREFIX}`, docs: `${url}/docs`, transport: runtime.transport },
      `Agent platform is up: API at ${url}/${API_PREFIX}, docs at ${url}/docs`,
    );
    return async () => {
      await gateway.close();
      await stop();
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
});
