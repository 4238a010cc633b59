import { TextDecoder } from 'node:util';
import { BUILTIN_TOOLS } from '#contracts';
import { HostAllowlist, OutboundAddressError, OutboundPolicy } from '#outbound';
import { ToolInputError, type Tool, type ToolContext } from './tool.js';

export interface HttpGetToolOptions {
  /** Hosts the tool may reach; see HostAllowlist. Empty = the tool is disabled. */
  allowlist: string[];
  timeoutMs?: number;
  maxBytes?: number;
  /**
   * The check after DNS resolution (see libs/outbound): an allowlisted name that resolves to a
   * loopback, private or link-local address is refused unless the operator allows it. Defaults to
   * refusing every internal address.
   */
  policy?: OutboundPolicy;
}

export const HTTP_GET_DEFAULT_TIMEOUT_MS = 10_000;
export const HTTP_GET_DEFAULT_MAX_BYTES = 100_000;
const MAX_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** text/*, JSON and XML (including +json / +xml suffixes): the bodies a model can usefully read. */
function isTextLike(contentType: string): boolean {
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  return mediaType.startsWith('text/') || /[/+]json$/.test(mediaType) || /[/+]xml$/.test(mediaType);
}

function charsetOf(contentType: string): string {
  return /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1] ?? 'utf-8';
}

/** Reads at most maxBytes, then stops the download; the decoder in stream mode drops a multi-byte character cut at the limit instead of garbling it. */
async function readLimited(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charsetOf(response.headers.get('content-type') ?? ''));
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  let text = '';
  let received = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - received;
    if (value.byteLength > room) {
      text += decoder.decode(value.subarray(0, room), { stream: true });
      truncated = true;
      await reader.cancel();
      break;
    }
    received += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
  if (!truncated) text += decoder.decode();
  return { text, truncated };
}

/** Fetches a web page or API response for the model, only from hosts the operator allowed. */
export class HttpGetTool implements Tool {
  readonly name = 'http_get';
  readonly description = BUILTIN_TOOLS.http_get.description;
  readonly parameters: Record<string, unknown> = BUILTIN_TOOLS.http_get.parameters;
  readonly idempotent = BUILTIN_TOOLS.http_get.idempotent;
  readonly location = 'server' as const;

  private readonly allowlist: HostAllowlist;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly policy: OutboundPolicy;

  constructor(options: HttpGetToolOptions) {
    this.policy = options.policy ?? new OutboundPolicy({ allowInternal: false });
    this.allowlist = new HostAllowlist(options.allowlist);
    this.timeoutMs = options.timeoutMs ?? HTTP_GET_DEFAULT_TIMEOUT_MS;
    this.maxBytes = options.maxBytes ?? HTTP_GET_DEFAULT_MAX_BYTES;
  }

  async execute(args: Record<string, unknown>, context: ToolContext): Promise<string> {
    if (this.allowlist.empty) throw new ToolInputError('http_get is disabled: set EXECUTION_HTTP_TOOL_ALLOWLIST');
    if (typeof args.url !== 'string') throw new ToolInputError('http_get: "url" must be a string');
    let url = this.checkUrl(args.url, 'url');

    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([context.signal, timeout]);
    try {
      for (let redirects = 0; ; redirects++) {
        const response = await this.policy.fetch(url, {
          method: 'GET',
          redirect: 'manual',
          // No cookies, no Authorization: the tool acts for the model, never with anyone's credentials.
          credentials: 'omit',
          headers: { accept: 'text/*, application/json, application/xml;q=0.9, */*;q=0.1' },
          signal,
        });
        const location = response.headers.get('location');
        if (REDIRECT_STATUSES.has(response.status) && location !== null) {
          await response.body?.cancel();
          if (redirects >= MAX_REDIRECTS) throw new Error(`http_get: more than ${MAX_REDIRECTS} redirects, last to ${location}`);
          url = this.checkUrl(new URL(location, url).href, 'redirect target');
          continue;
        }
        return await this.render(response);
      }
    } catch (error) {
      // Cancellation of the run wins over our own timeout and is passed on untouched.
      if (context.signal.aborted) throw context.signal.reason ?? error;
      if (timeout.aborted) throw new Error(`http_get: ${url.href} did not answer within ${this.timeoutMs} ms`, { cause: error });
      if (error instanceof OutboundAddressError) throw new ToolInputError(`http_get: ${error.reason}`);
      throw error;
    }
  }

  private checkUrl(raw: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ToolInputError(`http_get: ${what} "${raw}" is not an absolute URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ToolInputError(`http_get: ${what} "${raw}" must use http or https`);
    }
    if (url.username !== '' || url.password !== '') {
      throw new ToolInputError(`http_get: ${what} must not contain credentials`);
    }
    if (!this.allowlist.allows(url)) {
      throw new ToolInputError(`http_get: ${what} host "${url.host}" is not in the allowlist`);
    }
    return url;
  }

  private async render(response: Response): Promise<string> {
    const contentType = response.headers.get('content-type') ?? '';
    if (!isTextLike(contentType)) {
      await response.body?.cancel();
      return `HTTP ${response.status}\n[body not shown: content type ${contentType === '' ? 'unknown' : contentType} is not text]`;
    }
    const { text, truncated } = await readLimited(response, this.maxBytes);
    return `HTTP ${response.status}\n${text}${truncated ? `\n[truncated: body exceeds ${this.maxBytes} bytes]` : ''}`;
  }
}
