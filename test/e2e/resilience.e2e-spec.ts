import { Cluster, createTestDatabase, registerUser, TcpProxy, testEnv, uniqueNamespace, type TestUser } from '#testing';

/**
 * What users see when a part of the platform is gone: a clear 503 or 504 problem quickly, never
 * a hang, and the platform recovering by itself when the part comes back.
 */
describe('outages', () => {
  let cluster: Cluster;
  let natsProxy: TcpProxy;
  let pgProxy: TcpProxy;
  let user: TestUser;

  beforeAll(async () => {
    const databaseUrl = await createTestDatabase('outage');
    const nats = new URL(testEnv().natsUrl);
    natsProxy = await TcpProxy.start(nats.hostname, Number(nats.port || 4222));
    const pg = new URL(databaseUrl);
    pgProxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
    const viaPgProxy = new URL(databaseUrl);
    viaPgProxy.port = String(pgProxy.port);
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: `nats://127.0.0.1:${natsProxy.port}`,
      namespace: uniqueNamespace('outage'),
      env: { REQUEST_TIMEOUT_MS: '1500' },
      // Only identity reaches PostgreSQL through the proxy, so its outage is the one under test.
      perApp: { identity: { DATABASE_URL: viaPgProxy.toString() } },
    });
    user = await registerUser(cluster.api);
  });

  afterAll(async () => {
    await cluster?.stop();
    await natsProxy?.stop();
    await pgProxy?.stop();
  });

  /** identity's own health listener (HEALTH_PORT), what Kubernetes probes. */
  const identityHealth = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${cluster.app('identity').healthPort()}${path}`);
    return { status: res.status, body: (await res.json()) as { status: string; checks?: Record<string, string> } };
  };

  async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('a service process that is frozen -> 504 UPSTREAM_TIMEOUT after the request timeout, then recovers', async () => {
    const identity = cluster.app('identity');
    process.kill(identity.pid!, 'SIGSTOP');
    try {
      const started = Date.now();
      // A route identity answers (GET /me may come from the gateway's copy of the credential check).
      const res = await cluster.api.get('/api/v1/api-keys', user.accessToken);
      const elapsed = Date.now() - started;
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
      expect(elapsed).toBeGreaterThanOrEqual(1400);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      process.kill(identity.pid!, 'SIGCONT');
    }
    await eventually(async () => (await cluster.api.get('/api/v1/me', user.accessToken)).status === 200);
  });

  it('a service with no process running -> 504 UPSTREAM_TIMEOUT; the gateway stays ready, degraded, and says which', async () => {
    const identity = cluster.app('identity');
    await identity.kill('SIGKILL');
    try {
      const res = await cluster.api.get('/api/v1/api-keys', user.accessToken);
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
      const ready = await cluster.api.get('/api/v1/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.services.identity.status).toBe('down');
      expect(ready.body.checks.services.agent.status).toBe('ok');
    } finally {
      identity.start();
    }
    await cluster.waitReady();
    expect((await cluster.api.get('/api/v1/me', user.accessToken)).status).toBe(200);
  });

  it('NATS down -> 503 from requests and readiness; everything recovers when it is back', async () => {
    await natsProxy.pause();
    try {
      await eventually(async () => (await cluster.api.get('/api/v1/me', user.accessToken)).status === 503, 5000);
      const res = await cluster.api.get('/api/v1/me', user.accessToken);
      expect(res.body).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
      const ready = await cluster.api.get('/api/v1/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.bus.status).toBe('down');
      expect((await cluster.api.get('/api/v1/health/live')).status).toBe(200);
      await eventually(async () => (await identityHealth('/health/ready')).status === 503, 5000);
      expect((await identityHealth('/health/ready')).body.checks).toMatchObject({ nats: 'down' });
      expect((await identityHealth('/health/live')).status).toBe(200);
    } finally {
      await natsProxy.resume();
    }
    await cluster.waitReady(30_000);
    expect((await cluster.api.get('/api/v1/me', user.accessToken)).status).toBe(200);
  });

  it('PostgreSQL down -> 503 from requests, readiness degraded; the service reconnects by itself', async () => {
    await pgProxy.pause();
    try {
      const res = await cluster.api.get('/api/v1/api-keys', user.accessToken);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ code: 'UNAVAILABLE' });
      expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      const ready = await cluster.api.get('/api/v1/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.services.identity.database).toBe('down');
      const own = await identityHealth('/health/ready');
      expect(own).toEqual({ status: 503, body: { status: 'unavailable', service: 'identity', checks: { nats: 'ok', database: 'down', subscriptions: 'ok' } } });
      expect((await identityHealth('/health/live')).status).toBe(200);
    } finally {
      await pgProxy.resume();
    }
    await eventually(async () => (await cluster.api.get('/api/v1/me', user.accessToken)).status === 200);
    await cluster.waitReady();
    await eventually(async () => (await identityHealth('/health/ready')).status === 200);
    expect((await identityHealth('/health/ready')).body).toEqual({ status: 'ok', service: 'identity', checks: { nats: 'ok', database: 'ok', subscriptions: 'ok' } });
    expect(cluster.app('identity').running).toBe(true);
  });
});
