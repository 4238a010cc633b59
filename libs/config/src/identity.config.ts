import { ConfigError } from './platform-config.js';

/** A budget of `points` within `durationSeconds`; points 0 switches the limit off. */
export interface RateBudget {
  points: number;
  durationSeconds: number;
}

export interface OidcConfig {
  /** Stored with each linked user as external_provider, e.g. "clerk" or "azure-ad". */
  providerName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: the gateway's /api/v1/auth/oidc/callback. */
  redirectUri: string;
  scopes: string;
}

/** Settings of the identity service (and the gateway's authentication), beyond PlatformConfig. */
export interface IdentityConfig {
  /** Unset: the OIDC routes answer 404 (no provider configured). */
  oidc?: OidcConfig;
  /** Creates or promotes this account at start-up while no superuser exists. */
  firstSuperuser?: { email: string; password: string };
  limits: {
    /** Failed logins per client address. */
    loginPerIp: RateBudget;
    /** Failed logins per account (email): the brute-force guard. */
    loginPerAccount: RateBudget;
    registerPerIp: RateBudget;
    /** Authenticated requests per user, counted by identity for every gateway replica. */
    userRequests: RateBudget;
  };
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function int(env: Env, problems: string[], name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return fallback;
  }
  return parsed;
}

function httpUrl(env: Env, problems: string[], name: string): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    return raw;
  } catch {
    problems.push(`${name} must be an http:// or https:// URL`);
    return undefined;
  }
}

function loadOidc(env: Env, problems: string[]): OidcConfig | undefined {
  const issuer = httpUrl(env, problems, 'OIDC_ISSUER');
  const clientId = value(env, 'OIDC_CLIENT_ID');
  const clientSecret = value(env, 'OIDC_CLIENT_SECRET');
  const redirectUri = httpUrl(env, problems, 'OIDC_REDIRECT_URI');
  const anySet = [env.OIDC_ISSUER, clientId, clientSecret, env.OIDC_REDIRECT_URI].some((v) => v !== undefined && v.trim() !== '');
  if (!anySet) return undefined;
  for (const [name, present] of [
    ['OIDC_ISSUER', env.OIDC_ISSUER],
    ['OIDC_CLIENT_ID', clientId],
    ['OIDC_CLIENT_SECRET', clientSecret],
    ['OIDC_REDIRECT_URI', env.OIDC_REDIRECT_URI],
  ] as const) {
    if (present === undefined || present.trim() === '') problems.push(`${name} is required when any OIDC_* variable is set`);
  }
  const providerName = value(env, 'OIDC_PROVIDER_NAME') ?? 'oidc';
  if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(providerName)) problems.push('OIDC_PROVIDER_NAME may hold only lower-case letters, digits and "-" (at most 32)');
  if (!issuer || !clientId || !clientSecret || !redirectUri) return undefined;
  return { providerName, issuer: issuer.replace(/\/$/, ''), clientId, clientSecret, redirectUri, scopes: value(env, 'OIDC_SCOPES') ?? 'openid email profile' };
}

export function loadIdentityConfig(env: Env = process.env): IdentityConfig {
  const problems: string[] = [];
  const oidc = loadOidc(env, problems);
  const email = value(env, 'FIRST_SUPERUSER_EMAIL');
  const password = value(env, 'FIRST_SUPERUSER_PASSWORD');
  if ((email === undefined) !== (password === undefined)) problems.push('FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD must be set together');
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push('FIRST_SUPERUSER_EMAIL must be an email address');
  // Never echo the password: only its length is checked.
  if (password !== undefined && (password.length < 10 || password.length > 256)) problems.push('FIRST_SUPERUSER_PASSWORD must be 10 to 256 characters long');
  const config: IdentityConfig = {
    oidc,
    firstSuperuser: email && password ? { email: email.toLowerCase(), password } : undefined,
    limits: {
      loginPerIp: { points: int(env, problems, 'RATE_LIMIT_LOGIN_PER_IP', 50, 0, 1_000_000), durationSeconds: 15 * 60 },
      loginPerAccount: { points: int(env, problems, 'RATE_LIMIT_LOGIN_PER_ACCOUNT', 10, 0, 1_000_000), durationSeconds: 15 * 60 },
      registerPerIp: { points: int(env, problems, 'RATE_LIMIT_REGISTER_PER_IP', 50, 0, 1_000_000), durationSeconds: 60 * 60 },
      userRequests: { points: int(env, problems, 'RATE_LIMIT_USER_PER_MINUTE', 1200, 0, 10_000_000), durationSeconds: 60 },
    },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
