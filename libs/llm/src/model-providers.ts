import { createHash } from 'node:crypto';
import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI, ChatOpenAICompletions } from '@langchain/openai';
import { ConfigError } from '#config';
import { MODEL_PROVIDERS, type ModelProvider } from '#contracts';
import { type Embedder, OpenAiCompatibleEmbedder } from './embeddings.js';
import { ModelConfigurationError, redactSecrets } from './llm-errors.js';

type Env = Record<string, string | undefined>;

interface ProviderProfile {
  /**
   * 'openai-compatible': served through @langchain/openai at a base URL; 'anthropic': the
   * Messages API through @langchain/anthropic; 'unavailable': no implementation here.
   */
  readonly kind: 'openai-compatible' | 'anthropic' | 'unavailable';
  readonly defaultBaseUrl?: string;
  /** Local servers run without a key; a key configured for them is still sent. */
  readonly keyRequired: boolean;
  /** Whether to ask for `stream_options.include_usage`: some servers reject the field. */
  readonly streamUsage: boolean;
  /** Why an unavailable provider is unavailable, for the error. */
  readonly missing?: string;
}

/**
 * Every provider of the platform's list and how it is reached. Base URLs are the providers'
 * documented OpenAI-compatible endpoints (Anthropic's is its own API's root, without /v1: the SDK
 * adds the path); each can be replaced with `<PROVIDER>_BASE_URL`.
 */
export const PROVIDER_PROFILES: Readonly<Record<ModelProvider, ProviderProfile>> = {
  openai: { kind: 'openai-compatible', defaultBaseUrl: 'https://api.openai.com/v1', keyRequired: true, streamUsage: true },
  // The resource's v1 endpoint, https://<resource>.openai.azure.com/openai/v1: no sensible default.
  'azure-openai': { kind: 'openai-compatible', keyRequired: true, streamUsage: true },
  // Mistral answers 422 to `stream_options` and reports usage in its last chunk anyway.
  mistral: { kind: 'openai-compatible', defaultBaseUrl: 'https://api.mistral.ai/v1', keyRequired: true, streamUsage: false },
  groq: { kind: 'openai-compatible', defaultBaseUrl: 'https://api.groq.com/openai/v1', keyRequired: true, streamUsage: true },
  openrouter: { kind: 'openai-compatible', defaultBaseUrl: 'https://openrouter.ai/api/v1', keyRequired: true, streamUsage: true },
  deepseek: { kind: 'openai-compatible', defaultBaseUrl: 'https://api.deepseek.com/v1', keyRequired: true, streamUsage: true },
  xai: { kind: 'openai-compatible', defaultBaseUrl: 'https://api.x.ai/v1', keyRequired: true, streamUsage: true },
  together: { kind: 'openai-compatible', defaultBaseUrl: 'https://api.together.xyz/v1', keyRequired: true, streamUsage: true },
  ollama: { kind: 'openai-compatible', defaultBaseUrl: 'http://localhost:11434/v1', keyRequired: false, streamUsage: true },
  vllm: { kind: 'openai-compatible', defaultBaseUrl: 'http://localhost:8000/v1', keyRequired: false, streamUsage: true },
  lmstudio: { kind: 'openai-compatible', defaultBaseUrl: 'http://localhost:1234/v1', keyRequired: false, streamUsage: true },
  anthropic: { kind: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com', keyRequired: true, streamUsage: true },
  google: { kind: 'unavailable', keyRequired: true, streamUsage: false, missing: '@langchain/google-genai' },
  cohere: { kind: 'unavailable', keyRequired: true, streamUsage: false, missing: '@langchain/cohere' },
};

/** `azure-openai` -> `AZURE_OPENAI_API_KEY`; for openai these are the OpenAI SDK's own names. */
export function providerEnvVariable(provider: ModelProvider, suffix: 'API_KEY' | 'BASE_URL'): string {
  return `${provider.toUpperCase().replace(/-/g, '_')}_${suffix}`;
}

export function isModelProvider(value: unknown): value is ModelProvider {
  return typeof value === 'string' && (MODEL_PROVIDERS as readonly string[]).includes(value);
}

/**
 * Asks for the user's own stored key (in execution: identity's `identity.provider-keys.reveal`).
 * Resolve undefined when the user has none. A thrown error propagates on purpose: if identity is
 * down we must not quietly fall back to the platform's key and bill the operator for the user.
 */
export type StoredKeyLookup = (query: { userId: string; provider: ModelProvider }) => Promise<string | undefined>;

/** What an agent (or a request) says about the model; everything but provider and model is optional. */
export interface ModelSpec {
  provider: ModelProvider;
  model: string;
  temperature?: number;
  /** Tokens per reply. */
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  /** A caller-chosen endpoint (e.g. the user's own Ollama). Only with a key that is not the platform's. */
  baseUrl?: string;
  /**
   * Longest wait for the provider, in streamChat/completeChat: for the answer to start and then
   * between streamed chunks (a stalled stream fails, a long healthy one does not). Default 120 s.
   */
  timeoutMs?: number;
  /** Retries inside one model call for 429/5xx/network errors. Default 2. */
  maxRetries?: number;
}

export interface CreateModelInput extends ModelSpec {
  /** A key sent with this request: used for this call only, never stored or logged. */
  apiKey?: string;
  /** Whose stored key to look up. */
  userId?: string;
}

export type KeySource = 'request' | 'user' | 'environment' | 'none';

/** Where a model call goes and with which key; JSON.stringify and util.inspect never show the key. */
export class ResolvedEndpoint {
  readonly #apiKey: string | undefined;

  constructor(
    readonly provider: ModelProvider,
    readonly baseUrl: string,
    readonly keySource: KeySource,
    apiKey: string | undefined,
  ) {
    this.#apiKey = apiKey;
  }

  /** The key itself; only for handing to the client library. */
  revealApiKey(): string | undefined {
    return this.#apiKey;
  }

  toJSON(): Record<string, unknown> {
    return { provider: this.provider, baseUrl: this.baseUrl, keySource: this.keySource, apiKey: this.#apiKey === undefined ? undefined : '[redacted]' };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return this.toJSON();
  }
}

/** Safe-to-log facts about a model made by ModelProviders. */
export interface ModelInfo {
  provider: ModelProvider;
  model: string;
  baseUrl: string;
  keySource: KeySource;
}

interface Registered {
  info: ModelInfo;
  secrets: string[];
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 120_000;

// Models are LangChain objects the loop passes around; this keeps our facts about them (and the
// secret to scrub from their errors) out of the objects themselves.
const registered = new WeakMap<object, Registered>();

/** The provider, model and endpoint of a chat model made by ModelProviders.create. */
export function describeModel(model: BaseChatModel): ModelInfo | undefined {
  return registered.get(model)?.info;
}

/** @internal the key of a registered model (to scrub from errors) and its timeout. */
export function callSettingsOf(model: BaseChatModel): { secrets: string[]; timeoutMs: number } {
  const entry = registered.get(model);
  return { secrets: entry?.secrets ?? [], timeoutMs: entry?.timeoutMs ?? DEFAULT_TIMEOUT_MS };
}

/**
 * Made models kept for reuse, at most this many: a LangChain chat model holds no state between
 * calls (each call brings its own messages, tools and signal), while making one (and its SDK
 * client, built on its first call) costs about half a millisecond of CPU before every call.
 */
const MODEL_CACHE_SIZE = 256;

/** How long a made model is reused by default: a rotated or revoked key does not stay in memory past this. */
const MODEL_REUSE_MS = 5 * 60_000;

/** Sent to local servers that need no key: the OpenAI SDK refuses to run without one. */
const NO_KEY = 'not-needed';

/** The Messages API requires max_tokens; LangChain's per-model default can reach 64k+, too much to spend unasked. */
const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/**
 * The Anthropic SDK's own request limit, set explicitly: left unset, the SDK refuses non-streamed
 * calls whose max_tokens might take over 10 minutes. Our helpers enforce timeoutMs themselves.
 */
const ANTHROPIC_SDK_TIMEOUT_MS = 600_000;

/**
 * Makes LangChain chat models for the platform's providers. Keys are resolved per call in the
 * order the issue fixes: the request's key, else the user's stored key, else the platform's
 * environment (`OPENAI_API_KEY`, `<PROVIDER>_API_KEY`), else a ModelConfigurationError that
 * names what to configure. Base URLs: the spec's (only with a non-platform key), else
 * `<PROVIDER>_BASE_URL` (`OPENAI_BASE_URL` for openai), else the provider's default.
 */
export class ModelProviders {
  /** Made models by everything that makes them differ (the key as a hash), oldest first. */
  private readonly made = new Map<string, { model: BaseChatModel; madeAt: number }>();

  private constructor(
    private readonly env: Readonly<Env>,
    private readonly lookupStoredKey: StoredKeyLookup | undefined,
    private readonly modelReuseMs: number,
  ) {}

  /**
   * Reads the provider variables once; a base URL that is not http(s) throws ConfigError naming
   * the variable (never its value: it may embed credentials).
   */
  static fromEnv(env: Env = process.env, options: { lookupStoredKey?: StoredKeyLookup; modelReuseMs?: number } = {}): ModelProviders {
    const problems: string[] = [];
    const snapshot: Env = {};
    for (const provider of MODEL_PROVIDERS) {
      for (const suffix of ['API_KEY', 'BASE_URL'] as const) {
        const name = providerEnvVariable(provider, suffix);
        const value = env[name]?.trim();
        if (!value) continue;
        if (suffix === 'BASE_URL' && !isHttpUrl(value)) problems.push(`${name} must be a URL starting with http:// or https://`);
        snapshot[name] = value;
      }
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return new ModelProviders(snapshot, options.lookupStoredKey, options.modelReuseMs ?? MODEL_REUSE_MS);
  }

  /** Finds the endpoint and key for a call without making a model. */
  async resolveEndpoint(input: CreateModelInput): Promise<ResolvedEndpoint> {
    const profile = this.profileOf(input.provider);
    const { provider } = input;
    const envKey = this.env[providerEnvVariable(provider, 'API_KEY')];
    let apiKey: string | undefined;
    let keySource: KeySource;
    const requestKey = input.apiKey?.trim();
    if (requestKey) {
      apiKey = requestKey;
      keySource = 'request';
    } else {
      const stored = input.userId && this.lookupStoredKey ? (await this.lookupStoredKey({ userId: input.userId, provider }))?.trim() : undefined;
      if (stored) {
        apiKey = stored;
        keySource = 'user';
      } else if (envKey) {
        apiKey = envKey;
        keySource = 'environment';
      } else {
        keySource = 'none';
      }
    }
    if (keySource === 'none' && profile.keyRequired) {
      const variable = providerEnvVariable(provider, 'API_KEY');
      throw new ModelConfigurationError(
        provider,
        'missing-api-key',
        `no API key for model provider "${provider}": send one with the request, store one in your account's provider keys, or have the operator set ${variable}`,
        ['request apiKey', `stored provider key for ${provider}`, variable],
      );
    }

    let baseUrl: string;
    if (input.baseUrl !== undefined) {
      if (!isHttpUrl(input.baseUrl)) throw new ModelConfigurationError(provider, 'invalid-settings', 'baseUrl must be a URL starting with http:// or https://');
      // The platform's key only ever goes to the platform's endpoint, or a caller could collect it.
      if (keySource === 'environment') {
        throw new ModelConfigurationError(provider, 'base-url-not-allowed', `a custom baseUrl for "${provider}" needs your own API key (sent with the request or stored), not the platform's`);
      }
      baseUrl = input.baseUrl;
    } else {
      const configured = this.env[providerEnvVariable(provider, 'BASE_URL')] ?? profile.defaultBaseUrl;
      if (configured === undefined) {
        const variable = providerEnvVariable(provider, 'BASE_URL');
        throw new ModelConfigurationError(provider, 'missing-base-url', `model provider "${provider}" has no endpoint: the operator must set ${variable}`, [variable]);
      }
      baseUrl = configured;
    }
    return new ResolvedEndpoint(provider, baseUrl.replace(/\/+$/, ''), keySource, apiKey);
  }

  /**
   * A LangChain chat model for the spec, with the key resolved for this user and request. The key
   * is resolved on every call; the model made for the same endpoint, key and settings in the last
   * few minutes is answered again.
   */
  async create(input: CreateModelInput): Promise<BaseChatModel> {
    validateSettings(input);
    const endpoint = await this.resolveEndpoint(input);
    const apiKey = endpoint.revealApiKey();
    const key = madeModelKey(input, endpoint, apiKey);
    const now = Date.now();
    const kept = this.made.get(key);
    this.made.delete(key);
    if (kept && now - kept.madeAt < this.modelReuseMs) {
      this.made.set(key, kept);
      return kept.model;
    }
    const profile = this.profileOf(input.provider);
    const model = profile.kind === 'anthropic' ? anthropicModel(input, endpoint.baseUrl, apiKey ?? NO_KEY) : openAiModel(input, profile, endpoint, apiKey);
    registered.set(model, {
      info: { provider: input.provider, model: input.model, baseUrl: endpoint.baseUrl, keySource: endpoint.keySource },
      secrets: apiKey === undefined ? [] : [apiKey],
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    this.made.set(key, { model, madeAt: now });
    if (this.made.size > MODEL_CACHE_SIZE) this.made.delete(this.made.keys().next().value as string);
    return model;
  }

  /**
   * An embedder on the provider's OpenAI-compatible `/embeddings` endpoint, its key resolved as a
   * chat model's is (request, the user's stored key, the platform's environment).
   */
  async createEmbedder(input: { provider: ModelProvider; model: string; dimensions: number; userId?: string; apiKey?: string }): Promise<Embedder> {
    const profile = this.profileOf(input.provider);
    if (profile.kind !== 'openai-compatible') {
      throw new ModelConfigurationError(input.provider, 'unsupported-provider', `model provider "${input.provider}" has no OpenAI-compatible embeddings endpoint`);
    }
    const endpoint = await this.resolveEndpoint({ provider: input.provider, model: input.model, userId: input.userId, apiKey: input.apiKey });
    const sendDimensions = input.provider === 'openai' || input.provider === 'azure-openai';
    return new OpenAiCompatibleEmbedder({ provider: input.provider, baseUrl: endpoint.baseUrl, model: input.model, dimensions: input.dimensions, sendDimensions }, endpoint.revealApiKey());
  }

  private profileOf(provider: string): ProviderProfile {
    if (!isModelProvider(provider)) {
      throw new ModelConfigurationError(redactSecrets(String(provider)).slice(0, 40), 'unsupported-provider', `unknown model provider; use one of: ${MODEL_PROVIDERS.join(', ')}`);
    }
    const profile = PROVIDER_PROFILES[provider];
    if (profile.kind === 'unavailable') {
      const usable = MODEL_PROVIDERS.filter((p) => PROVIDER_PROFILES[p].kind !== 'unavailable');
      throw new ModelConfigurationError(
        provider,
        'unsupported-provider',
        `model provider "${provider}" is not available on this platform (its LangChain package, ${profile.missing}, is not installed); use one of: ${usable.join(', ')}`,
      );
    }
    return profile;
  }
}

/** What makes two made models differ: the endpoint, the key (hashed: never kept as text here), and every setting. */
function madeModelKey(input: CreateModelInput, endpoint: ResolvedEndpoint, apiKey: string | undefined): string {
  const keyHash = apiKey === undefined ? null : createHash('sha256').update(apiKey).digest('base64url');
  return JSON.stringify([
    input.provider,
    input.model,
    endpoint.baseUrl,
    endpoint.keySource,
    keyHash,
    input.temperature ?? null,
    input.maxTokens ?? null,
    input.topP ?? null,
    input.stop ?? null,
    input.timeoutMs ?? null,
    input.maxRetries ?? null,
  ]);
}

function openAiModel(input: CreateModelInput, profile: ProviderProfile, endpoint: ResolvedEndpoint, apiKey: string | undefined): BaseChatModel {
  const fields = {
    model: input.model,
    // Always explicit: left unset, LangChain would read OPENAI_API_KEY / OPENAI_BASE_URL from the
    // process and could send the OpenAI key to another provider.
    apiKey: apiKey ?? NO_KEY,
    configuration: { baseURL: endpoint.baseUrl },
    temperature: input.temperature,
    maxTokens: input.maxTokens,
    topP: input.topP,
    stop: input.stop,
    // Our helpers enforce timeoutMs themselves (an idle timeout that also covers a stalled
    // stream); the SDK's own 10-minute limit stays as a backstop for direct use.
    maxRetries: input.maxRetries ?? 2,
    streamUsage: profile.streamUsage,
  };
  // ChatOpenAI switches some model names (codex, *-pro) to the Responses API, which only OpenAI
  // itself serves; compatible servers always get Chat Completions.
  const isOpenAi = input.provider === 'openai' && endpoint.baseUrl === PROVIDER_PROFILES.openai.defaultBaseUrl;
  return isOpenAi ? new ChatOpenAI(fields) : new ChatOpenAICompletions(fields);
}

function anthropicModel(input: CreateModelInput, baseUrl: string, apiKey: string): BaseChatModel {
  return new ChatAnthropic({
    model: input.model,
    // Key and URL always explicit: left unset, LangChain and the SDK read ANTHROPIC_API_KEY /
    // ANTHROPIC_BASE_URL (or a LangSmith gateway) from the process, bypassing our key order.
    apiKey,
    anthropicApiUrl: baseUrl,
    // null, not undefined: otherwise the SDK adds ANTHROPIC_AUTH_TOKEN from the process as a bearer token.
    clientOptions: { authToken: null, timeout: ANTHROPIC_SDK_TIMEOUT_MS },
    temperature: input.temperature,
    maxTokens: input.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    topP: input.topP,
    stopSequences: input.stop,
    maxRetries: input.maxRetries ?? 2,
    streamUsage: true,
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function validateSettings(spec: ModelSpec): void {
  const problems: string[] = [];
  const range = (name: string, value: number | undefined, min: number, max: number, integer = false) => {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`);
    }
  };
  if (typeof spec.model !== 'string' || spec.model.trim() === '' || spec.model.length > 200) problems.push('model must be a non-empty name of at most 200 characters');
  // Anthropic's temperature scale ends at 1; refusing more here names the setting instead of a 400.
  range('temperature', spec.temperature, 0, spec.provider === 'anthropic' ? 1 : 2);
  range('topP', spec.topP, 0, 1);
  range('maxTokens', spec.maxTokens, 1, 1_000_000, true);
  range('timeoutMs', spec.timeoutMs, 1, 3_600_000, true);
  range('maxRetries', spec.maxRetries, 0, 10, true);
  if (spec.stop !== undefined && (!Array.isArray(spec.stop) || spec.stop.length > 8 || spec.stop.some((s) => typeof s !== 'string'))) {
    problems.push('stop must be at most 8 strings');
  }
  if (problems.length > 0) throw new ModelConfigurationError(spec.provider, 'invalid-settings', `invalid model settings: ${problems.join('; ')}`);
}
