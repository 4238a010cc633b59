import { ConfigError, loadConfig } from './platform-config.js';

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
