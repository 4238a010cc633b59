interface AllowEntry {
  /** Exact hostname, or for "*." entries the suffix including its leading dot. */
  host: string;
  wildcard: boolean;
  /** '' = the scheme's default port only. */
  port: string;
}

/**
 * Host allowlist. Entries are "hostname", "*.hostname" (subdomains only, not the bare name) or either with ":port";
 * IPv6 literals in brackets. An entry without a port matches only the scheme's default port, so allowing
 * "127.0.0.1" does not open every local service.
 */
export class HostAllowlist {
  private readonly entries: AllowEntry[] = [];

  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const wildcard = entry.startsWith('*.');
      const match = /^(.*?)(?::(\d+))?$/.exec(wildcard ? entry.slice(2) : entry);
      const host = normaliseHostname(match?.[1] ?? '');
      if (host === undefined) continue;
      this.entries.push({ host: wildcard ? `.${host}` : host, wildcard, port: match?.[2] ?? '' });
    }
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  allows(url: URL): boolean {
    const effectivePort = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
    return this.entries.some((entry) => {
      const portOk = entry.port === '' ? url.port === '' : entry.port === effectivePort;
      const hostOk = entry.wildcard ? url.hostname.endsWith(entry.host) : url.hostname === entry.host;
      return portOk && hostOk;
    });
  }
}

/** Same normalisation as URL.hostname (case, punycode, IPv6 brackets); undefined for an unusable entry. */
function normaliseHostname(hostname: string): string | undefined {
  if (hostname === '') return undefined;
  try {
    return new URL(`http://${hostname}`).hostname;
  } catch {
    return undefined;
  }
}
