import { lookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { isInternalAddress } from './address.js';
import { HostAllowlist } from './host-allowlist.js';

/** Why an outbound address was refused; `reason` is safe to show the user (it names the host, never a secret). */
export class OutboundAddressError extends Error {
  override readonly name = 'OutboundAddressError';
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface OutboundPolicyOptions {
  /** Reach loopback, private and link-local addresses too (a trusted single-tenant install, or tests). */
  allowInternal: boolean;
  /** host[:port] entries (see HostAllowlist) that may be internal even when allowInternal is false. */
  internalAllowlist?: readonly string[];
  /** Redirects followed by `fetch`, each checked like the first URL. */
  maxRedirects?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Outbound HTTP to addresses users supply (MCP servers, HTTP tools, documents by URL, webhooks).
 * The check is made on the addresses a name resolves to, at connect time, by the socket's own DNS
 * lookup: a name that resolves to a public address when checked and to 127.0.0.1 when connected
 * (DNS rebinding) is refused too. Literal IPs are checked before connecting, and every redirect hop
 * is checked like the first URL.
 */
export class OutboundPolicy {
  private readonly internalAllowlist: HostAllowlist;
  private readonly maxRedirects: number;
  private readonly agent: Agent;

  constructor(private readonly options: OutboundPolicyOptions) {
    this.internalAllowlist = new HostAllowlist(options.internalAllowlist ?? []);
    this.maxRedirects = options.maxRedirects ?? 3;
    this.agent = new Agent({ connect: { lookup: (hostname, opts, callback) => this.lookup(hostname, opts, callback) } });
  }

  /** Throws OutboundAddressError for a URL this policy refuses (scheme, credentials, internal address after resolution). */
  async check(raw: string | URL): Promise<URL> {
    const url = this.parse(raw);
    if (this.internalAllowed(url)) return url;
    const host = bareHost(url);
    const addresses = isIP(host) ? [host] : await resolveAll(host).catch(() => {
      throw new OutboundAddressError(url.href, `the host "${url.hostname}" could not be resolved`);
    });
    if (addresses.length === 0 || addresses.some(isInternalAddress)) throw this.refusal(url);
    return url;
  }

  /**
   * fetch() under this policy. Redirects are followed here (at most maxRedirects), each hop checked;
   * `redirect: 'manual'` in init returns the redirect response instead.
   */
  async fetch(raw: string | URL, init: UndiciRequestInit = {}): Promise<Response> {
    let url = this.parse(raw);
    let request = init;
    for (let hop = 0; ; hop++) {
      this.checkLiteral(url);
      const response = await undiciFetch(url, { ...request, redirect: 'manual', dispatcher: this.dispatcherFor(url) }).then(
        (r) => r as unknown as Response,
        (err: unknown) => {
          // undici wraps the lookup's refusal in "fetch failed"; the caller needs the refusal itself.
          if (err instanceof Error && err.cause instanceof OutboundAddressError) throw new OutboundAddressError(url.href, err.cause.reason);
          throw err;
        },
      );
      const location = response.headers.get('location');
      if (init.redirect === 'manual' || !REDIRECT_STATUSES.has(response.status) || location === null) return response;
      await response.body?.cancel();
      if (hop >= this.maxRedirects) throw new OutboundAddressError(url.href, `more than ${this.maxRedirects} redirects`);
      url = this.parse(new URL(location, url));
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && request.method === 'POST')) {
        request = { ...request, method: 'GET', body: undefined };
      }
    }
  }

  /** A fetch-compatible function (for clients that take one, such as the MCP SDK's transports). */
  readonly fetchFunction = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    this.fetch(typeof input === 'string' || input instanceof URL ? input : input.url, init as UndiciRequestInit);

  private parse(raw: string | URL): URL {
    let url: URL;
    try {
      url = typeof raw === 'string' ? new URL(raw) : raw;
    } catch {
      throw new OutboundAddressError(String(raw), 'not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundAddressError(url.href, 'only http and https URLs are allowed');
    if (url.username !== '' || url.password !== '') throw new OutboundAddressError(url.origin, 'the URL must not contain credentials');
    return url;
  }

  private internalAllowed(url: URL): boolean {
    return this.options.allowInternal || this.internalAllowlist.allows(url);
  }

  private checkLiteral(url: URL): void {
    const host = bareHost(url);
    if (isIP(host) && isInternalAddress(host) && !this.internalAllowed(url)) throw this.refusal(url);
  }

  /** Allowlisted internal hosts connect without the resolution check; everything else goes through it. */
  private dispatcherFor(url: URL): Agent | undefined {
    return this.internalAllowed(url) ? undefined : this.agent;
  }

  private lookup(
    hostname: string,
    options: object,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      if (addresses.length === 0 || addresses.some((a) => isInternalAddress(a.address))) {
        const refused: NodeJS.ErrnoException = new OutboundAddressError(`//${hostname}`, `the host "${hostname}" resolves to an internal address, which is not allowed`);
        refused.code = 'OUTBOUND_ADDRESS_REFUSED';
        return callback(refused, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  }

  private refusal(url: URL): OutboundAddressError {
    return new OutboundAddressError(url.href, `the host "${url.hostname}" is an internal address, which is not allowed`);
  }
}

function bareHost(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses.map((a) => a.address))));
  });
}
