import { ConfigError } from './platform-config.js';
import { loadIdentityConfig } from './identity.config.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadIdentityConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  return '';
}

describe('loadIdentityConfig', () => {
  it('gives the documented defaults: no OIDC, no first superuser, every budget on', () => {
    expect(loadIdentityConfig({})).toEqual({
      oidc: undefined,
      firstSuperuser: undefined,
      limits: {
        loginPerIp: { points: 50, durationSeconds: 900 },
        loginPerAccount: { points: 10, durationSeconds: 900 },
        registerPerIp: { points: 50, durationSeconds: 3600 },
        userRequests: { points: 1200, durationSeconds: 60 },
      },
    });
  });

  it('reads a complete OIDC section and the first superuser', () => {
    const config = loadIdentityConfig({
      OIDC_ISSUER: 'https://login.example.com/',
      OIDC_CLIENT_ID: 'client',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_REDIRECT_URI: 'https://api.example.com/api/v1/auth/oidc/callback',
      OIDC_PROVIDER_NAME: 'azure-ad',
      FIRST_SUPERUSER_EMAIL: 'Root@Example.com',
      FIRST_SUPERUSER_PASSWORD: 'a-long-password',
    });
    expect(config.oidc).toMatchObject({ issuer: 'https://login.example.com', providerName: 'azure-ad', scopes: 'openid email profile' });
    expect(config.firstSuperuser).toEqual({ email: 'root@example.com', password: 'a-long-password' });
  });

  it('names every bad variable, and never echoes a secret', () => {
    const problems = problemsOf({
      OIDC_ISSUER: 'ftp://x',
      OIDC_CLIENT_SECRET: 'top-secret-value',
      RATE_LIMIT_USER_PER_MINUTE: 'lots',
      RATE_LIMIT_LOGIN_PER_IP: '-1',
      FIRST_SUPERUSER_EMAIL: 'root@example.com',
      FIRST_SUPERUSER_PASSWORD: 'short',
      OIDC_PROVIDER_NAME: 'Bad Name',
    });
    for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_REDIRECT_URI', 'RATE_LIMIT_USER_PER_MINUTE', 'RATE_LIMIT_LOGIN_PER_IP', 'FIRST_SUPERUSER_PASSWORD', 'OIDC_PROVIDER_NAME']) {
      expect(problems).toContain(name);
    }
    expect(problems).not.toMatch(/top-secret-value|short"/);
  });

  it('wants the first superuser\'s email and password together', () => {
    expect(problemsOf({ FIRST_SUPERUSER_EMAIL: 'root@example.com' })).toContain('FIRST_SUPERUSER_PASSWORD');
  });

  it('switches a budget off with 0', () => {
    expect(loadIdentityConfig({ RATE_LIMIT_USER_PER_MINUTE: '0' }).limits.userRequests.points).toBe(0);
  });
});
