import { ConfigError, EnvReader } from './platform-config.js';

/** An OAuth 2 provider users connect accounts of (authorization code with PKCE S256). */
export interface OAuthProviderConfig {
  /** Lower-case id used in routes and tool references: `google`. */
  name: string;
  title: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** RFC 7009 revocation endpoint, called when a connection is deleted. */
  revocationUrl?: string;
  /** Where the account's email is read after connecting (OpenID userinfo shape: `email`). */
  userInfoUrl?: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  /** Base URL the provider's `<name>_api` tool may call with the connection's token. */
  apiBaseUrl?: string;
  /** Extra query parameters of the authorization request (Google: access_type=offline, prompt=consent). */
  authParams?: Record<string, string>;
}

/** Settings of the integration service, beyond PlatformConfig. */
export interface IntegrationConfig {
  /** Longest wait for one tool call (MCP or HTTP) when the caller asks for none. */
  toolTimeoutMs: number;
  /** Commands stdio MCP servers may run (exact command names or absolute paths); empty turns stdio off. */
  stdioCommands: string[];
  /** A stdio server's process (one per server and user) stops after this long without a call. */
  stdioIdleSeconds: number;
  /** How often every enabled MCP server is checked; 0 never (checks on demand still work). */
  healthIntervalSeconds: number;
  /** The callback URL registered with every provider (this API's /integrations/oauth/callback as browsers reach it). */
  oauthRedirectUrl: string;
  /** How long an authorization link works. */
  oauthStateTtlSeconds: number;
  /** Tokens are refreshed this long before they expire, */
  refreshAheadSeconds: number;
  /** minus a random part of up to this long, so many connections do not refresh at once. */
  refreshJitterSeconds: number;
  /** How often each replica looks for connections due a refresh. */
  refreshPollSeconds: number;
  providers: OAuthProviderConfig[];
}

const GOOGLE_SCOPES = [
  'openid',
  'email',
  'https://www.googleapis.com/auth/gmail.modify',
  'https://www.googleapis.com/auth/calendar',
  'https://www.googleapis.com/auth/documents',
];

/** Throws ConfigError naming every bad variable, like loadConfig. */
export function loadIntegrationConfig(env: Record<string, string | undefined> = process.env): IntegrationConfig {
  const r = new EnvReader(env);
  const problems = r.problems;
  const list = (name: string) =>
    (r.optionalString(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  const providers: OAuthProviderConfig[] = [];
  const googleClientId = r.optionalString('GOOGLE_CLIENT_ID');
  if (googleClientId) {
    providers.push({
      name: 'google',
      title: 'Google',
      authorizationUrl: r.url('GOOGLE_AUTHORIZATION_URL', ['https:', 'http:']) ?? 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: r.url('GOOGLE_TOKEN_URL', ['https:', 'http:']) ?? 'https://oauth2.googleapis.com/token',
      revocationUrl: r.url('GOOGLE_REVOCATION_URL', ['https:', 'http:']) ?? 'https://oauth2.googleapis.com/revoke',
      userInfoUrl: r.url('GOOGLE_USERINFO_URL', ['https:', 'http:']) ?? 'https://openidconnect.googleapis.com/v1/userinfo',
      clientId: googleClientId,
      clientSecret: r.optionalString('GOOGLE_CLIENT_SECRET'),
      scopes: list('GOOGLE_SCOPES').length > 0 ? list('GOOGLE_SCOPES') : GOOGLE_SCOPES,
      apiBaseUrl: r.url('GOOGLE_API_BASE_URL', ['https:', 'http:']) ?? 'https://www.googleapis.com/',
      authParams: { access_type: 'offline', prompt: 'consent' },
    });
  }
  const extra = r.optionalString('INTEGRATION_OAUTH_PROVIDERS');
  if (extra) providers.push(...parseProviders(extra, problems));
  const config: IntegrationConfig = {
    toolTimeoutMs: r.int('INTEGRATION_TOOL_TIMEOUT_MS', 30_000, 100, 600_000),
    stdioCommands: list('INTEGRATION_STDIO_COMMANDS'),
    stdioIdleSeconds: r.int('INTEGRATION_STDIO_IDLE_SECONDS', 300, 1, 86_400),
    healthIntervalSeconds: r.int('INTEGRATION_HEALTH_INTERVAL_SECONDS', 300, 0, 86_400),
    oauthRedirectUrl: r.url('INTEGRATION_OAUTH_REDIRECT_URL', ['https:', 'http:']) ?? 'http://localhost:3000/api/v1/integrations/oauth/callback',
    oauthStateTtlSeconds: r.int('INTEGRATION_OAUTH_STATE_TTL_SECONDS', 600, 30, 86_400),
    refreshAheadSeconds: r.int('INTEGRATION_REFRESH_AHEAD_SECONDS', 300, 0, 86_400),
    refreshJitterSeconds: r.int('INTEGRATION_REFRESH_JITTER_SECONDS', 60, 0, 3600),
    refreshPollSeconds: r.int('INTEGRATION_REFRESH_POLL_SECONDS', 30, 1, 3600),
    providers,
  };
  if (new Set(providers.map((p) => p.name)).size !== providers.length) problems.push('INTEGRATION_OAUTH_PROVIDERS names a provider twice (google comes from GOOGLE_CLIENT_ID)');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** INTEGRATION_OAUTH_PROVIDERS: a JSON array of providers (inline); the message never echoes a client secret. */
function parseProviders(text: string, problems: string[]): OAuthProviderConfig[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    problems.push('INTEGRATION_OAUTH_PROVIDERS must be a JSON array of providers');
    return [];
  }
  if (!Array.isArray(value)) {
    problems.push('INTEGRATION_OAUTH_PROVIDERS must be a JSON array of providers');
    return [];
  }
  const providers: OAuthProviderConfig[] = [];
  for (const [index, raw] of value.entries()) {
    const p = raw as Partial<OAuthProviderConfig>;
    const ok =
      typeof p === 'object' &&
      p !== null &&
      typeof p.name === 'string' &&
      /^[a-z][a-z0-9-]{0,39}$/.test(p.name) &&
      isHttpUrl(p.authorizationUrl) &&
      isHttpUrl(p.tokenUrl) &&
      typeof p.clientId === 'string' &&
      p.clientId.length > 0 &&
      (p.clientSecret === undefined || typeof p.clientSecret === 'string') &&
      (p.revocationUrl === undefined || isHttpUrl(p.revocationUrl)) &&
      (p.userInfoUrl === undefined || isHttpUrl(p.userInfoUrl)) &&
      (p.apiBaseUrl === undefined || isHttpUrl(p.apiBaseUrl)) &&
      (p.scopes === undefined || (Array.isArray(p.scopes) && p.scopes.every((s) => typeof s === 'string')));
    if (!ok) {
      problems.push(
        `INTEGRATION_OAUTH_PROVIDERS entry ${index + 1} needs name (lower-case), authorizationUrl, tokenUrl and clientId; clientSecret, revocationUrl, userInfoUrl, apiBaseUrl (URLs) and scopes (strings) are optional`,
      );
      continue;
    }
    providers.push({ ...(p as OAuthProviderConfig), title: typeof p.title === 'string' ? p.title : (p.name as string), scopes: p.scopes ?? [] });
  }
  return providers;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
