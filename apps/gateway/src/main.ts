import 'reflect-metadata';
import { loadConfigOrExit, openHealthListener, Runtime, runUntilSignalled } from '#service-kit';
import { rootLogger, startTracing } from '#observability';
import { createGateway, listenGateway, API_PREFIX, PLAYGROUND_PATH } from './gateway.bootstrap.js';

const config = loadConfigOrExit('gateway', { database: false, jwt: true });
runUntilSignalled(async () => {
  // Before the gateway is built: its request spans are hooked in only when tracing is on.
  const stopTracing = await startTracing('gateway');
  const gatewayProcess: { runtime?: Runtime; state: 'starting' | 'serving' | 'stopping' } = { state: 'starting' };
  // The same listener as every service's (HEALTH_PORT): ready while serving and connected to NATS,
  // as /api/v1/health/ready is, without the per-service detail.
  const health = await openHealthListener(config, () => {
    if (gatewayProcess.state !== 'serving') return { status: 503, body: { status: gatewayProcess.state } };
    return gatewayProcess.runtime?.isConnected() ? { status: 200, body: { status: 'ok' } } : { status: 503, body: { status: 'unavailable', checks: { nats: 'down' } } };
  });
  const runtime = (gatewayProcess.runtime = await Runtime.create(config, 'gateway'));
  const app = await createGateway(config, runtime.clientFor('gateway'), runtime.createBroadcast('gateway'));
  const url = await listenGateway(app, config);
  gatewayProcess.state = 'serving';
  rootLogger().info(
    { playground: `${url}${PLAYGROUND_PATH}`, api: `${url}/${API_PREFIX}`, docs: `${url}/docs` },
    `gateway listening: playground at ${url}${PLAYGROUND_PATH}, API at ${url}/${API_PREFIX}, docs at ${url}/docs`,
  );
  return async () => {
    gatewayProcess.state = 'stopping';
    await app.close();
    await runtime.close();
    await health?.close();
    await stopTracing?.();
  };
});
