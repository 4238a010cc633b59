import 'reflect-metadata';
import { loadConfigOrExit, Runtime, runUntilSignalled } from '#service-kit';
import { rootLogger } from '#observability';
import { createGateway, listenGateway, API_PREFIX, PLAYGROUND_PATH } from './gateway.bootstrap.js';

const config = loadConfigOrExit('gateway', { database: false, jwt: true });
runUntilSignalled(async () => {
  const runtime = await Runtime.create(config, 'gateway');
  const app = await createGateway(config, runtime.client);
  const url = await listenGateway(app, config);
  rootLogger().info(
    { playground: `${url}${PLAYGROUND_PATH}`, api: `${url}/${API_PREFIX}`, docs: `${url}/docs` },
    `gateway listening: playground at ${url}${PLAYGROUND_PATH}, API at ${url}/${API_PREFIX}, docs at ${url}/docs`,
  );
  return async () => {
    await app.close();
    await runtime.close();
  };
});
