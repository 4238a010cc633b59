import type { SessionReply, User } from './types.js';

/** An RFC 9457 problem as the platform sends it, with its stable code. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  requestId?: string;
  errors?: Array<{ field: string; problems: string[] }>;
  /** Seconds, from the Retry-After header of a 429 or 503. */
  retryAfter?: number;
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** A failure that happened before any answer (offline, server down, DNS), as a problem too. */
export function networkProblem(err: unknown): Problem {
  return { status: 0, code: 'NETWORK', title: 'No connection', detail: err instanceof Error ? err.message : String(err) };
}

/** The problem in a reply that is not ok: problem+json, or whatever came, described. */
export async function problemOf(response: Response): Promise<Problem> {
  const retry = Number(response.headers.get('retry-after'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string') {
    return { ...(body as Problem), status: response.status, ...(retryAfter ? { retryAfter } : {}) };
  }
  return { status: response.status, code: `HTTP_${response.status}`, title: response.statusText || 'Error', detail: `the server answered ${response.status}`, ...(retryAfter ? { retryAfter } : {}) };
}

const KEYS = { refresh: 'playground.refreshToken', access: 'playground.accessToken', user: 'playground.user' };
/** An access token this close to its expiry is refreshed before use rather than sent. */
const EXPIRY_MARGIN_MS = 30_000;

interface StoredAccess {
  token: string;
  expiresAt: number;
}

/**
 * The signed-in session. Tokens live in this tab's sessionStorage: it survives a reload (so an
 * answer streaming when the page reloads can be picked up again) but not the tab, it is never sent
 * to the server on its own (no CSRF), and the page's Content-Security-Policy lets no other
 * script run to read it. An HttpOnly cookie would hide the refresh token from the page entirely;
 * the API speaks bearer tokens, so for a development playground this is the safe-enough place.
 * The access token is kept too, so a reload does not rotate the refresh token every time.
 */
export class Session {
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage = sessionStorage) {}

  get user(): User | null {
    const raw = this.storage.getItem(KEYS.user);
    return raw ? (JSON.parse(raw) as User) : null;
  }

  get signedIn(): boolean {
    return this.storage.getItem(KEYS.refresh) !== null;
  }

  /** Called when the session starts or ends (sign-in, sign-out, a refresh that was refused). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(reply: SessionReply): void {
    this.store(reply);
    this.notify();
  }

  /** Forgets the session and everything the page kept for it in this tab (an answer it was following, say). */
  clear(): void {
    for (let i = this.storage.length - 1; i >= 0; i--) {
      const key = this.storage.key(i);
      if (key?.startsWith('playground.')) this.storage.removeItem(key);
    }
    this.notify();
  }

  get refreshToken(): string | null {
    return this.storage.getItem(KEYS.refresh);
  }

  /** A usable access token, refreshing first when it is missing or about to expire; null when signed out. */
  async accessToken(): Promise<string | null> {
    const raw = this.storage.getItem(KEYS.access);
    const access = raw ? (JSON.parse(raw) as StoredAccess) : null;
    if (access && access.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return access.token;
    if (!this.signedIn) return null;
    return (await this.refresh()) ? this.accessToken() : null;
  }

  /**
   * Forgets an access token the server refused (a 401 for a token we believed valid), so the next
   * request refreshes; a token already replaced by a refresh another request made is left alone.
   */
  dropAccessToken(refused: string): void {
    const raw = this.storage.getItem(KEYS.access);
    if (raw && (JSON.parse(raw) as StoredAccess).token === refused) this.storage.removeItem(KEYS.access);
  }

  /**
   * Trades the refresh token for a new pair. One refresh at a time: every refresh token works
   * once, and sending a spent one ends the whole session, so concurrent callers share one request.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return false;
    let response: Response;
    try {
      response = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
    } catch (err) {
      throw new ApiError(networkProblem(err));
    }
    if (response.ok) {
      this.store((await response.json()) as SessionReply);
      return true;
    }
    const problem = await problemOf(response);
    if (problem.status === 401) {
      this.clear();
      return false;
    }
    throw new ApiError(problem);
  }

  private store(reply: SessionReply): void {
    this.storage.setItem(KEYS.refresh, reply.refreshToken);
    this.storage.setItem(KEYS.access, JSON.stringify({ token: reply.accessToken, expiresAt: Date.now() + reply.expiresIn * 1000 } satisfies StoredAccess));
    this.storage.setItem(KEYS.user, JSON.stringify({ id: reply.user.id, email: reply.user.email, name: reply.user.name } satisfies User));
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The platform's HTTP API under /api/v1: JSON in and out, problems thrown as ApiError, tokens refreshed as needed. */
export class Api {
  constructor(readonly session: Session) {}

  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('GET', path, options);
  }

  async post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.json<T>('POST', path, { ...options, body });
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, { body });
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, { body });
  }

  async delete(path: string): Promise<void> {
    await this.json<unknown>('DELETE', path);
  }

  /** Sign-in and registration: no token yet. */
  async signIn(kind: 'login' | 'register', body: { email: string; password: string; name?: string }): Promise<void> {
    const response = await this.send('POST', `/auth/${kind}`, { body }, null);
    if (!response.ok) throw new ApiError(await problemOf(response));
    this.session.start((await response.json()) as SessionReply);
  }

  async signOut(): Promise<void> {
    const refreshToken = this.session.refreshToken;
    this.session.clear();
    if (refreshToken) await this.send('POST', '/auth/logout', { body: { refreshToken } }, null).catch(() => undefined);
  }

  /**
   * An authenticated request whose reply the caller reads (a stream, say). A 401 for a token we
   * believed valid gets one refresh and one retry; a refused refresh ends the session.
   */
  async fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const token = await this.session.accessToken();
    if (token === null) throw new ApiError({ status: 401, code: 'UNAUTHENTICATED', title: 'Signed out', detail: 'your session has ended: sign in again' });
    const response = await this.send(method, path, options, token);
    if (response.status !== 401) return response;
    this.session.dropAccessToken(token);
    const again = await this.session.accessToken();
    if (again === null) return response;
    return this.send(method, path, options, again);
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.fetch(method, path, options);
    if (!response.ok) throw new ApiError(await problemOf(response));
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, options: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`/api/v1${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ApiError(networkProblem(err));
    }
  }
}
