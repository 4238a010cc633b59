import { AppError, ErrorCode } from '#contracts';

/**
 * Why a model call failed, for the agent loop to branch on (retry, fail the run, or record a
 * cancellation) without parsing messages.
 */
export type ModelFailureKind =
  /** 401/403: the key was refused. */
  | 'authentication'
  /** 429: rate limit or exhausted quota. */
  | 'rate_limited'
  /** 400/404/422...: the request itself is wrong (unknown model, bad parameters). */
  | 'bad_request'
  /** The conversation no longer fits the model's context window. */
  | 'context_overflow'
  /** 5xx or any other status the provider should not have sent. */
  | 'server'
  /** The provider did not answer within the timeout. */
  | 'timeout'
  /** No connection could be made (refused, DNS, reset). */
  | 'connection'
  /** The provider answered 200 with something that is not a completion. */
  | 'invalid_response'
  /** Our own AbortSignal stopped the call (run cancelled). */
  | 'aborted';

const CODES: Record<ModelFailureKind, ErrorCode> = {
  // Not UNAUTHENTICATED: that would tell our client its own session is bad. The run fails because
  // of a provider key, which the user or the operator fixes; details.kind says which case it is.
  authentication: ErrorCode.UNAVAILABLE,
  rate_limited: ErrorCode.RATE_LIMITED,
  bad_request: ErrorCode.VALIDATION_FAILED,
  context_overflow: ErrorCode.VALIDATION_FAILED,
  server: ErrorCode.UNAVAILABLE,
  timeout: ErrorCode.UPSTREAM_TIMEOUT,
  connection: ErrorCode.UNAVAILABLE,
  invalid_response: ErrorCode.UNAVAILABLE,
  aborted: ErrorCode.UNAVAILABLE,
};

const RETRYABLE: ReadonlySet<ModelFailureKind> = new Set(['rate_limited', 'server', 'timeout', 'connection']);

/**
 * A failed model call, summarised for users and logs. It never carries the provider's raw error
 * object (whose request options may hold the key) and its message is scrubbed of the key.
 */
export class ModelProviderError extends AppError {
  readonly retryable: boolean;

  constructor(
    readonly provider: string,
    readonly kind: ModelFailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(CODES[kind], message, { provider, kind, ...(status === undefined ? {} : { status }), retryable: RETRYABLE.has(kind) });
    this.name = 'ModelProviderError';
    this.retryable = RETRYABLE.has(kind);
  }
}

/**
 * The model cannot be set up: unknown or unavailable provider, no key anywhere, no base URL.
 * VALIDATION_FAILED because the fix is on the caller's side of the request (send or store a key,
 * pick another provider) or a setting the message names; details.configure lists what to set.
 */
export class ModelConfigurationError extends AppError {
  constructor(
    readonly provider: string,
    readonly reason: 'unsupported-provider' | 'missing-api-key' | 'missing-base-url' | 'base-url-not-allowed' | 'invalid-settings',
    message: string,
    configure: string[] = [],
  ) {
    super(ErrorCode.VALIDATION_FAILED, message, { provider, reason, ...(configure.length > 0 ? { configure } : {}) });
    this.name = 'ModelConfigurationError';
  }
}

const MAX_MESSAGE = 300;
// Shapes of credentials providers echo back in error messages ("Incorrect API key provided: sk-...").
const KEY_PATTERNS = [/\bBearer\s+[^\s"',]+/gi, /\b(sk|gsk|xai|pk|rk|sess)[-_][A-Za-z0-9_*.-]{6,}/g, /\bkey[-_][A-Za-z0-9]{16,}/gi];

/** Removes the given secrets and anything shaped like an API key from a text meant for logs. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  for (const pattern of KEY_PATTERNS) out = out.replace(pattern, '[redacted]');
  return out;
}

const PREFIXES = {
  authentication: 'the model provider refused the API key',
  rate_limited: 'the model provider is rate limiting',
  bad_request: 'the model provider rejected the request',
  server: 'the model provider failed',
} as const;

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors) by the kind their HTTP status maps to. */
const ANTHROPIC_ERROR_KINDS: Readonly<Record<string, keyof typeof PREFIXES>> = {
  invalid_request_error: 'bad_request',
  not_found_error: 'bad_request',
  request_too_large: 'bad_request',
  billing_error: 'bad_request',
  authentication_error: 'authentication',
  permission_error: 'authentication',
  rate_limit_error: 'rate_limited',
  api_error: 'server',
  overloaded_error: 'server',
  timeout_error: 'server',
};

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  code?: unknown;
  /** The Anthropic SDK's error type (`overloaded_error`...), also set on errors without a status. */
  type?: unknown;
  cause?: unknown;
  constructor?: { name?: string };
}

/** Node and undici network failures: refused, reset, a socket closed mid-body ("terminated"). */
function isNetworkFailure(e: ErrorLike): boolean {
  const code = typeof e.code === 'string' ? e.code : undefined;
  const cause = typeof e.cause === 'object' && e.cause !== null ? (e.cause as ErrorLike) : undefined;
  const causeCode = typeof cause?.code === 'string' ? cause.code : undefined;
  return (
    e.constructor?.name === 'APIConnectionError' ||
    (code !== undefined && (/^E[A-Z]+$/.test(code) || code.startsWith('UND_ERR'))) ||
    (causeCode !== undefined && (/^E[A-Z]+$/.test(causeCode) || causeCode.startsWith('UND_ERR'))) ||
    (e.name === 'TypeError' && (e.message === 'terminated' || e.message === 'fetch failed'))
  );
}

/**
 * Maps whatever LangChain or the OpenAI / Anthropic SDK threw into a ModelProviderError. `secrets` are the
 * values to scrub (the key used); `signal` tells a cancellation apart from a network failure,
 * since an aborted fetch surfaces under several names.
 */
export function toModelProviderError(error: unknown, context: { provider: string; secrets?: ReadonlyArray<string | undefined>; signal?: AbortSignal }): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  const rawMessage = typeof e.message === 'string' ? e.message : 'unknown error';
  const clean = (prefix: string) => {
    const text = redactSecrets(rawMessage, context.secrets).replace(/\s+/g, ' ').trim();
    const summary = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}...` : text;
    return `${prefix} (${context.provider}): ${summary}`;
  };
  const name = typeof e.name === 'string' ? e.name : '';
  const status = typeof e.status === 'number' ? e.status : undefined;

  if (context.signal?.aborted || name === 'AbortError' || rawMessage === 'AbortError' || rawMessage === 'Aborted') {
    return new ModelProviderError(context.provider, 'aborted', `the model call was cancelled (${context.provider})`);
  }
  if (name === 'TimeoutError' || e.constructor?.name === 'APIConnectionTimeoutError') {
    return new ModelProviderError(context.provider, 'timeout', `the model provider did not answer in time (${context.provider})`);
  }
  if (name === 'ContextOverflowError') return new ModelProviderError(context.provider, 'context_overflow', clean('the conversation is too long for the model'), status);
  if (status !== undefined) {
    if (status === 401 || status === 403) return new ModelProviderError(context.provider, 'authentication', clean(PREFIXES.authentication), status);
    if (status === 429) return new ModelProviderError(context.provider, 'rate_limited', clean(PREFIXES.rate_limited), status);
    if (status >= 400 && status < 500) return new ModelProviderError(context.provider, 'bad_request', clean(PREFIXES.bad_request), status);
    return new ModelProviderError(context.provider, 'server', clean(PREFIXES.server), status);
  }
  // Anthropic reports a failure inside a streamed 200 (typically overloaded_error) as an SSE error
  // event: the SDK throws it without a status, with the error type only.
  const streamKind = typeof e.type === 'string' && Object.hasOwn(ANTHROPIC_ERROR_KINDS, e.type) ? ANTHROPIC_ERROR_KINDS[e.type] : undefined;
  if (streamKind !== undefined) return new ModelProviderError(context.provider, streamKind, clean(PREFIXES[streamKind]));
  if (isNetworkFailure(e)) {
    return new ModelProviderError(context.provider, 'connection', clean('the model provider could not be reached'));
  }
  // A 200 that did not parse (SyntaxError) or lacked the fields the SDK needs (TypeError).
  return new ModelProviderError(context.provider, 'invalid_response', clean('the model provider sent an unexpected answer'));
}
