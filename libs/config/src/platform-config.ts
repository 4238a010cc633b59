import type { LogFormat, LogLevel } from '#observability';

/** Every setting the platform reads, parsed and validated once at start-up. */
export interface PlatformConfig {
  /** Gateway HTTP port. */
  port: number;
  host: string;
  /** Unset means: single-process mode starts an embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  /**
   * The privileged login that runs migrations and creates the services' roles (the migrate step
   * and single-process mode read it); unset: DATABASE_URL is that login.
   */
  databaseAdminUrl?: string;
  /** Unset means: the in-process transport (single-process mode only). */
  natsUrl?: string;
  /**
   * This process's own NATS user and password (NATS_USER, NATS_PASSWORD): the user is the app's
   * name, and the server lets it publish and subscribe only what the bus permission table grants
   * that app. Unset: no authentication (a development NATS without users).
   */
  natsUser?: string;
  natsPassword?: string;
  /** NODE_ENV=production: published development secrets are refused, bus credentials required. */
  production?: boolean;
  dataDir: string;
  logLevel: LogLevel;
  /** `auto`: readable lines at a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
  /** HS256 key for access tokens; shared by the gateway (verifies) and identity (signs). */
  jwtSecret?: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  /**
   * How long a gateway replica trusts a credential identity verified without asking again (0: ask
   * on every request). Revocations reach it at once through identity's broadcasts; this bounds
   * the staleness if one is lost.
   */
  credentialCacheMs: number;
  /** Prefix for every subject and stream, so several deployments (or test runs) share one NATS. */
  busNamespace: string;
  migrateOnStart: boolean;
  /** 'off' keeps committed events in the outbox (maintenance, tests of crash recovery). */
  outboxRelay: boolean;
  /** Unset: the first free port from 54329 on. */
  embeddedPostgresPort?: number;
  /**
   * Which proxies in front of the gateway to believe about the client's address
   * (X-Forwarded-For): false (none), true (all), a hop count, or addresses/CIDRs.
   */
  trustProxy: boolean | number | string[];
  /** How many NATS servers keep a copy of the events stream (3 on a NATS cluster). */
  jetStreamReplicas: number;
  /** Port of a service's own health listener (/health/live, /health/ready); unset: none. */
  healthPort?: number;
  /** When set, the gateway's /metrics asks for `Authorization: Bearer <this>`; unset: open (the health port's is always open). */
  metricsToken?: string;
  /**
   * Outbound HTTP to addresses users supply (MCP servers, HTTP tools, documents by URL, run
   * webhooks; see libs/outbound): whether loopback, private and link-local addresses may be reached,
   * and host[:port] entries that may be even when they may not.
   */
  outbound: { allowInternal: boolean; internalAllowlist: string[] };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'json', 'pretty'];

/** Reads variables of one environment, collecting a problem per bad value instead of stopping at the first. */
export class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean, truthy = ['true', '1', 'yes', 'on'], falsy = ['false', '0', 'no', 'off']): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (truthy.includes(value)) return true;
    if (falsy.includes(value)) return false;
    this.problems.push(`${name} must be one of ${[...truthy, ...falsy].join(', ')} (got "${value}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      // The value may hold a password: name the variable, never echo it.
      this.problems.push(`${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
      return undefined;
    }
  }
}

export function loadConfig(env: Env = process.env): PlatformConfig {
  const r = new EnvReader(env);
  const jwtSecret = r.optionalString('JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    r.problems.push('JWT_SECRET must be at least 32 characters long');
  }
  const busNamespace = r.string('BUS_NAMESPACE', '');
  if (busNamespace !== '' && !/^[A-Za-z0-9_-]{1,32}$/.test(busNamespace)) {
    r.problems.push('BUS_NAMESPACE may hold only letters, digits, "_" and "-" (at most 32)');
  }
  const natsUser = r.optionalString('NATS_USER');
  const natsPassword = r.optionalString('NATS_PASSWORD');
  if (natsUser !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(natsUser)) r.problems.push('NATS_USER must be the name of the app (gateway, identity, agent, workflow, conversation, integration or execution)');
  if ((natsUser === undefined) !== (natsPassword === undefined)) r.problems.push('NATS_USER and NATS_PASSWORD go together: set both or neither');
  // nats-server reads each password from its environment as a config value: a leading digit
  // makes it a number (or a parse error), so only plain tokens survive the trip intact.
  if (natsPassword !== undefined && !/^[A-Za-z][A-Za-z0-9_-]{15,}$/.test(natsPassword)) {
    r.problems.push('NATS_PASSWORD must start with a letter and hold only letters, digits, "-" and "_", 16 or more (make one with: echo p$(openssl rand -hex 24))');
  }
  const config: PlatformConfig = {
    port: r.int('PORT', 3000, 0, 65535),
    host: r.string('HOST', '0.0.0.0'),
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseAdminUrl: r.url('DATABASE_ADMIN_URL', ['postgres:', 'postgresql:']),
    natsUrl: r.url('NATS_URL', ['nats:', 'tls:']),
    natsUser,
    natsPassword,
    production: r.raw('NODE_ENV') === 'production',
    dataDir: r.string('DATA_DIR', './.data'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: r.oneOf('LOG_FORMAT', LOG_FORMATS, 'auto'),
    jwtSecret,
    accessTokenTtlSeconds: r.int('ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlSeconds: r.int('REFRESH_TOKEN_TTL_SECONDS', 30 * 86_400, 60, 365 * 86_400),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', 5000, 50, 600_000),
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824),
    credentialCacheMs: r.int('GATEWAY_CREDENTIAL_CACHE_MS', 5000, 0, 60_000),
    busNamespace,
    migrateOnStart: r.bool('MIGRATE_ON_START', true),
    outboxRelay: r.bool('OUTBOX_RELAY', true),
    embeddedPostgresPort: r.raw('EMBEDDED_PG_PORT') === undefined ? undefined : r.int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    trustProxy: parseTrustProxy(r.optionalString('TRUST_PROXY'), r.problems),
    jetStreamReplicas: r.int('JETSTREAM_REPLICAS', 1, 1, 5),
    healthPort: r.raw('HEALTH_PORT') === undefined ? undefined : r.int('HEALTH_PORT', 0, 0, 65535),
    metricsToken: r.optionalString('METRICS_TOKEN'),
    outbound: {
      allowInternal: r.bool('OUTBOUND_ALLOW_INTERNAL', false),
      internalAllowlist: (r.optionalString('OUTBOUND_INTERNAL_ALLOWLIST') ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0),
    },
  };
  if (r.raw('NODE_ENV') === 'production') r.problems.push(...knownDevelopmentSecrets(env));
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** `<SERVICE>_DATABASE_URL`: a service's own login, which the migrate step creates. */
const SERVICE_DATABASE_URL = /^[A-Z]+_DATABASE_URL$/;

/**
 * Every `<SERVICE>_DATABASE_URL` set, by schema (`AGENT_DATABASE_URL` -> agent): the migrate step
 * creates each as a role that may use only that schema.
 */
export function serviceDatabaseUrls(env: Env, schemas: readonly string[]): Record<string, string> {
  const r = new EnvReader(env);
  const urls: Record<string, string> = {};
  for (const schema of schemas) {
    const url = r.url(`${schema.toUpperCase()}_DATABASE_URL`, ['postgres:', 'postgresql:']);
    if (url !== undefined) urls[schema] = url;
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return urls;
}

/**
 * Secrets this repository has published for development (docker-compose, the k8s dev overlay):
 * anyone can read them, so a production deployment that still uses one is refused at start.
 */
const DEVELOPMENT_SECRETS = {
  JWT_SECRET: ['dev-only-insecure-jwt-secret-change-me-0123456789'],
  /** The key material, whatever key id it is filed under. */
  ENCRYPTION_KEYS: ['ZGV2LW9ubHktaW5zZWN1cmUtZW5jcnlwdGlvbi1rZXk='],
  /** Database passwords, as they appear inside DATABASE_URL. */
  DATABASE_URL: ['agent-dev-password', 'REPLACE_ME', ...['identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'].map((service) => `${service}-dev-password`)],
  /** The dev overlay's NATS passwords are `dev-only-nats-<app>`. */
  NATS_PASSWORD: /^(dev-only-nats-[a-z]+|REPLACE_ME)$/,
} as const;

/** One problem per variable that holds a published development secret; never echoes the value. */
function knownDevelopmentSecrets(env: Env): string[] {
  const problems: string[] = [];
  const refuse = (name: string) => problems.push(`${name} holds a development secret published in this repository; NODE_ENV=production refuses it (generate a new one, see the Deploy section of README.md)`);
  if ((DEVELOPMENT_SECRETS.JWT_SECRET as readonly string[]).includes(env.JWT_SECRET?.trim() ?? '')) refuse('JWT_SECRET');
  const keys = (env.ENCRYPTION_KEYS ?? '').split(',').map((entry) => entry.slice(entry.indexOf(':') + 1).trim());
  if (keys.some((key) => (DEVELOPMENT_SECRETS.ENCRYPTION_KEYS as readonly string[]).includes(key))) refuse('ENCRYPTION_KEYS');
  for (const name of Object.keys(env).filter((key) => key === 'DATABASE_URL' || key === 'DATABASE_ADMIN_URL' || SERVICE_DATABASE_URL.test(key))) {
    const password = databasePassword(env[name]);
    if (password !== undefined && (DEVELOPMENT_SECRETS.DATABASE_URL as readonly string[]).includes(password)) refuse(name);
  }
  if (DEVELOPMENT_SECRETS.NATS_PASSWORD.test(env.NATS_PASSWORD?.trim() ?? '')) refuse('NATS_PASSWORD');
  return problems;
}

function databasePassword(url: string | undefined): string | undefined {
  try {
    return url ? decodeURIComponent(new URL(url.trim()).password) : undefined;
  } catch {
    return undefined;
  }
}

function parseTrustProxy(value: string | undefined, problems: string[]): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(',').map((v) => v.trim());
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+)(\/\d{1,3})?$/;
  if (entries.every((e) => address.test(e))) return entries;
  problems.push('TRUST_PROXY must be false, true, a hop count, or a comma-separated list of addresses/CIDRs');
  return false;
}

/** What a service process (or the gateway, `app`) needs beyond the defaults when it runs on its own. */
export function requireForServiceMode(config: PlatformConfig, needs: { database: boolean; jwt: boolean }, app?: string): void {
  const problems: string[] = [];
  if (needs.database && !config.databaseUrl) problems.push('DATABASE_URL is required when an app runs as its own process');
  if (!config.natsUrl) problems.push('NATS_URL is required when an app runs as its own process');
  if (app !== undefined && config.natsUser !== undefined && config.natsUser !== app) problems.push(`NATS_USER must be "${app}" for the ${app} app: each app connects to NATS with its own credentials`);
  if (config.production && config.natsUser === undefined) problems.push('NATS_USER and NATS_PASSWORD are required when NODE_ENV=production: each app connects to NATS with its own credentials (see Bus credentials in README.md)');
  if (needs.jwt && !config.jwtSecret) problems.push('JWT_SECRET is required (at least 32 characters, the same for gateway and identity)');
  if (problems.length > 0) throw new ConfigError(problems);
}
