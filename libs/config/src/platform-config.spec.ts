import { ConfigError, loadConfig, requireForServiceMode } from './platform-config.js';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, dataDir: './.data', logLevel: 'info', requestTimeoutMs: 5000, migrateOnStart: true });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.natsUrl).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', NATS_URL: 'http://x', JWT_SECRET: 'short' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'LOG_LEVEL', 'NATS_URL', 'JWT_SECRET']) expect(problems).toContain(name);
  });

  it('reads TRUST_PROXY as off, all, a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('keeps outbound calls off internal addresses unless told, with an allowlist of exceptions', () => {
    expect(loadConfig({}).outbound).toEqual({ allowInternal: false, internalAllowlist: [] });
    expect(loadConfig({ OUTBOUND_ALLOW_INTERNAL: 'true', OUTBOUND_INTERNAL_ALLOWLIST: ' 127.0.0.1:11434, *.svc.cluster.local ,' }).outbound).toEqual({
      allowInternal: true,
      internalAllowlist: ['127.0.0.1:11434', '*.svc.cluster.local'],
    });
    expect(() => loadConfig({ OUTBOUND_ALLOW_INTERNAL: 'maybe' })).toThrow(/OUTBOUND_ALLOW_INTERNAL/);
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' })).toThrow(/DATABASE_URL/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://admin:hunter2@db/x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('loadConfig in production', () => {
  const published = {
    JWT_SECRET: 'dev-only-insecure-jwt-secret-change-me-0123456789',
    ENCRYPTION_KEYS: 'prod:ZGV2LW9ubHktaW5zZWN1cmUtZW5jcnlwdGlvbi1rZXk=',
    DATABASE_URL: 'postgres://agent:agent-dev-password@db:5432/agent_platform',
  };

  it('refuses every development secret published in the repository, naming each variable and echoing none', () => {
    let caught: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', ...published });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    for (const name of ['JWT_SECRET', 'ENCRYPTION_KEYS', 'DATABASE_URL']) expect(message).toContain(`${name} holds a development secret`);
    for (const value of ['dev-only-insecure', 'ZGV2LW9ub', 'agent-dev-password']) expect(message).not.toContain(value);
  });

  it('refuses a published key even behind a new key id or after a fresh primary key', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEYS: `new:${Buffer.alloc(32, 7).toString('base64')},old:ZGV2LW9ubHktaW5zZWN1cmUtZW5jcnlwdGlvbi1rZXk=` })).toThrow(
      /ENCRYPTION_KEYS holds a development secret/,
    );
  });

  it('accepts the same values outside production, and fresh secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', ...published })).not.toThrow();
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(40),
        ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
        DATABASE_URL: 'postgres://agent:s3cret@db:5432/agent_platform',
      }),
    ).not.toThrow();
  });
});

describe('loadConfig for deployments', () => {
  it('reads JETSTREAM_REPLICAS (1 by default, 1 to 5) and HEALTH_PORT (unset by default)', () => {
    expect(loadConfig({}).jetStreamReplicas).toBe(1);
    expect(loadConfig({}).healthPort).toBeUndefined();
    expect(loadConfig({ JETSTREAM_REPLICAS: '3', HEALTH_PORT: '8081' })).toMatchObject({ jetStreamReplicas: 3, healthPort: 8081 });
    expect(() => loadConfig({ JETSTREAM_REPLICAS: '7' })).toThrow(/JETSTREAM_REPLICAS must be an integer between 1 and 5/);
    expect(() => loadConfig({ HEALTH_PORT: 'http' })).toThrow(/HEALTH_PORT/);
  });
});

describe('bus credentials (NATS_USER, NATS_PASSWORD)', () => {
  const problems = (env: Record<string, string>, app?: string): string[] => {
    try {
      requireForServiceMode(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222', ...env }), { database: false, jwt: false }, app);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('reads both, or neither, and never echoes the password', () => {
    expect(loadConfig({ NATS_USER: 'execution', NATS_PASSWORD: 'pw-0123456789abcdef' })).toMatchObject({ natsUser: 'execution', natsPassword: 'pw-0123456789abcdef' });
    expect(loadConfig({})).toMatchObject({ natsUser: undefined, natsPassword: undefined });
    expect(problems({ NATS_USER: 'execution' })).toEqual(['NATS_USER and NATS_PASSWORD go together: set both or neither']);
    const onlyPassword = problems({ NATS_PASSWORD: 'pw-secret-value-0123' });
    expect(onlyPassword).toEqual(['NATS_USER and NATS_PASSWORD go together: set both or neither']);
    expect(onlyPassword.join(' ')).not.toContain('pw-secret-value-0123');
    expect(problems({ NATS_USER: 'Exec.*', NATS_PASSWORD: 'pw-0123456789abcdef' })[0]).toMatch(/^NATS_USER must be the name of the app/);
  });

  it('takes only passwords nats-server reads back intact from its environment: a letter first, then letters, digits, - and _', () => {
    for (const bad of ['1e5f0a9b8c7d6e5f4a3b', 'short-pw', 'pw with spaces 0123', 'pw:0123456789abcdef', '"quoted0123456789"']) {
      const found = problems({ NATS_USER: 'agent', NATS_PASSWORD: bad });
      expect([bad, found]).toEqual([bad, ['NATS_PASSWORD must start with a letter and hold only letters, digits, "-" and "_", 16 or more (make one with: echo p$(openssl rand -hex 24))']]);
    }
    expect(problems({ NATS_USER: 'agent', NATS_PASSWORD: `p${'0a'.repeat(24)}` })).toEqual([]);
  });

  it('refuses another app\'s user: each app connects as itself', () => {
    expect(problems({ NATS_USER: 'execution', NATS_PASSWORD: 'pw-0123456789abcdef' }, 'agent')).toEqual(['NATS_USER must be "agent" for the agent app: each app connects to NATS with its own credentials']);
    expect(problems({ NATS_USER: 'agent', NATS_PASSWORD: 'pw-0123456789abcdef' }, 'agent')).toEqual([]);
  });

  it('requires them in production, and refuses the dev overlay\'s passwords there', () => {
    expect(problems({ NODE_ENV: 'production' }, 'gateway')).toEqual([
      'NATS_USER and NATS_PASSWORD are required when NODE_ENV=production: each app connects to NATS with its own credentials (see Bus credentials in README.md)',
    ]);
    expect(problems({ NODE_ENV: 'production', NATS_USER: 'gateway', NATS_PASSWORD: 'dev-only-nats-gateway' }, 'gateway')[0]).toMatch(/^NATS_PASSWORD holds a development secret/);
    expect(problems({ NODE_ENV: 'production', NATS_USER: 'gateway', NATS_PASSWORD: `p${'f'.repeat(47)}` }, 'gateway')).toEqual([]);
    expect(problems({ NATS_USER: 'gateway', NATS_PASSWORD: 'dev-only-nats-gateway' }, 'gateway')).toEqual([]);
  });
});
