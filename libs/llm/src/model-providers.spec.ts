import { inspect } from 'node:util';
import { ConfigError } from '#config';
import { AppError, ErrorCode, type ModelProvider } from '#contracts';
import { FakeOpenAiServer } from '#testing';
import { completeChat } from './chat-stream.js';
import { ModelConfigurationError } from './llm-errors.js';
import { describeModel, ModelProviders, type StoredKeyLookup } from './model-providers.js';

const REQUEST_KEY = 'sk-request-0123456789abcdef';
const STORED_KEY = 'sk-stored-0123456789abcdef';
const ENV_KEY = 'sk-env-0123456789abcdef';

function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('ModelProviders', () => {
  let server: FakeOpenAiServer;
  const lookups: Array<{ userId: string; provider: ModelProvider }> = [];
  const storedKeys = new Map<string, string>([['user-with-key', STORED_KEY]]);
  const lookupStoredKey: StoredKeyLookup = async (query) => {
    lookups.push(query);
    return storedKeys.get(query.userId);
  };

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
  });
  beforeEach(() => {
    lookups.length = 0;
    server.setDefaultReply({ kind: 'text', text: 'ok' });
  });
  afterEach(() => server.reset());
  afterAll(() => server.stop());

  const providers = (env: Record<string, string> = {}) => ModelProviders.fromEnv({ OPENAI_BASE_URL: server.baseUrl, ...env }, { lookupStoredKey });
  const authorizationOfLastCall = () => server.completions.at(-1)?.headers.authorization;

  describe('key resolution', () => {
    it('uses the key sent with the request before the stored and the environment key, without asking identity', async () => {
      const model = await providers({ OPENAI_API_KEY: ENV_KEY }).create({ provider: 'openai', model: 'gpt-4o-mini', apiKey: REQUEST_KEY, userId: 'user-with-key' });
      await completeChat(model, 'hi');
      expect(authorizationOfLastCall()).toBe(`Bearer ${REQUEST_KEY}`);
      expect(lookups).toEqual([]);
      expect(describeModel(model)).toEqual({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: server.baseUrl, keySource: 'request' });
    });

    it("uses the user's stored key before the environment's", async () => {
      const model = await providers({ OPENAI_API_KEY: ENV_KEY }).create({ provider: 'openai', model: 'gpt-4o-mini', userId: 'user-with-key' });
      await completeChat(model, 'hi');
      expect(authorizationOfLastCall()).toBe(`Bearer ${STORED_KEY}`);
      expect(lookups).toEqual([{ userId: 'user-with-key', provider: 'openai' }]);
    });

    it('falls back to the environment key when the user stored none', async () => {
      const model = await providers({ OPENAI_API_KEY: ENV_KEY }).create({ provider: 'openai', model: 'gpt-4o-mini', userId: 'user-without-key' });
      await completeChat(model, 'hi');
      expect(authorizationOfLastCall()).toBe(`Bearer ${ENV_KEY}`);
      expect(describeModel(model)?.keySource).toBe('environment');
    });

    it('fails with an error naming what to configure when there is no key anywhere', async () => {
      const error = await errorOf(providers().create({ provider: 'openai', model: 'gpt-4o-mini', userId: 'user-without-key' }));
      expect(error).toBeInstanceOf(ModelConfigurationError);
      expect(error).toBeInstanceOf(AppError);
      const appError = error as ModelConfigurationError;
      expect(appError.code).toBe(ErrorCode.VALIDATION_FAILED);
      expect(appError.reason).toBe('missing-api-key');
      expect(appError.message).toContain('OPENAI_API_KEY');
      expect(appError.message).toContain('"openai"');
      expect(appError.details?.configure).toContain('OPENAI_API_KEY');
      expect(server.completions).toHaveLength(0);
    });

    it('names the provider-specific variable for other providers', async () => {
      const error = (await errorOf(providers().create({ provider: 'groq', model: 'llama-3.3-70b-versatile' }))) as ModelConfigurationError;
      expect(error.message).toContain('GROQ_API_KEY');
    });

    it("never sends the process's OPENAI_API_KEY to another provider", async () => {
      const saved = process.env.OPENAI_API_KEY;
      process.env.OPENAI_API_KEY = ENV_KEY;
      try {
        const registry = ModelProviders.fromEnv({ GROQ_BASE_URL: server.baseUrl, DEEPSEEK_BASE_URL: server.baseUrl, DEEPSEEK_API_KEY: 'sk-deepseek-0123456789' });
        expect(((await errorOf(registry.create({ provider: 'groq', model: 'm' }))) as ModelConfigurationError).reason).toBe('missing-api-key');
        await completeChat(await registry.create({ provider: 'deepseek', model: 'deepseek-chat' }), 'hi');
        expect(authorizationOfLastCall()).toBe('Bearer sk-deepseek-0123456789');
      } finally {
        if (saved === undefined) delete process.env.OPENAI_API_KEY;
        else process.env.OPENAI_API_KEY = saved;
      }
    });

    it('lets a failing stored-key lookup fail the call rather than bill the platform key', async () => {
      const registry = ModelProviders.fromEnv(
        { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: ENV_KEY },
        {
          lookupStoredKey: () => Promise.reject(new AppError(ErrorCode.UNAVAILABLE, 'identity is unavailable')),
        },
      );
      const error = (await errorOf(registry.create({ provider: 'openai', model: 'gpt-4o-mini', userId: 'u1' }))) as AppError;
      expect(error.code).toBe(ErrorCode.UNAVAILABLE);
    });

    it('runs local providers without a key, at their configured base URL', async () => {
      const registry = ModelProviders.fromEnv({ OLLAMA_BASE_URL: server.baseUrl });
      const model = await registry.create({ provider: 'ollama', model: 'llama3.1:8b' });
      expect((await completeChat(model, 'hi')).text).toBe('ok');
      expect(describeModel(model)?.keySource).toBe('none');
      expect(server.completions[0].body.model).toBe('llama3.1:8b');
    });
  });

  describe('endpoints', () => {
    it('uses documented defaults and the <PROVIDER>_BASE_URL override', async () => {
      const registry = ModelProviders.fromEnv({ LMSTUDIO_BASE_URL: 'http://10.0.0.5:1234/v1/' });
      expect((await registry.resolveEndpoint({ provider: 'ollama', model: 'm' })).baseUrl).toBe('http://localhost:11434/v1');
      expect((await registry.resolveEndpoint({ provider: 'openrouter', model: 'm', apiKey: REQUEST_KEY })).baseUrl).toBe('https://openrouter.ai/api/v1');
      expect((await registry.resolveEndpoint({ provider: 'openai', model: 'm', apiKey: REQUEST_KEY })).baseUrl).toBe('https://api.openai.com/v1');
      expect((await registry.resolveEndpoint({ provider: 'anthropic', model: 'm', apiKey: REQUEST_KEY })).baseUrl).toBe('https://api.anthropic.com');
      expect((await registry.resolveEndpoint({ provider: 'lmstudio', model: 'm' })).baseUrl).toBe('http://10.0.0.5:1234/v1');
    });

    it('asks the operator for an Azure endpoint, which has no default', async () => {
      const error = (await errorOf(providers().create({ provider: 'azure-openai', model: 'my-deployment', apiKey: REQUEST_KEY }))) as ModelConfigurationError;
      expect(error.reason).toBe('missing-base-url');
      expect(error.message).toContain('AZURE_OPENAI_BASE_URL');
    });

    it('accepts a caller base URL with the caller\'s own key, never with the platform key', async () => {
      const registry = ModelProviders.fromEnv({ OPENAI_API_KEY: ENV_KEY });
      const refused = (await errorOf(registry.create({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: server.baseUrl }))) as ModelConfigurationError;
      expect(refused.reason).toBe('base-url-not-allowed');
      expect(server.completions).toHaveLength(0);
      const model = await registry.create({ provider: 'openai', model: 'gpt-4o-mini', baseUrl: server.baseUrl, apiKey: REQUEST_KEY });
      await completeChat(model, 'hi');
      expect(authorizationOfLastCall()).toBe(`Bearer ${REQUEST_KEY}`);
    });

    it('says clearly which providers have no implementation here', async () => {
      for (const provider of ['google', 'cohere'] as const) {
        const error = (await errorOf(providers().create({ provider, model: 'm', apiKey: REQUEST_KEY }))) as ModelConfigurationError;
        expect(error.reason).toBe('unsupported-provider');
        expect(error.message).toContain(`"${provider}"`);
        expect(error.message).toContain('@langchain/');
      }
      const unknown = (await errorOf(providers().create({ provider: 'nope' as ModelProvider, model: 'm' }))) as ModelConfigurationError;
      expect(unknown.reason).toBe('unsupported-provider');
    });

    it('rejects a bad base URL variable naming it, without echoing the value', () => {
      let error: unknown;
      try {
        ModelProviders.fromEnv({ VLLM_BASE_URL: 'ftp://user:hunter2@host' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain('VLLM_BASE_URL');
      expect((error as ConfigError).message).not.toContain('hunter2');
    });

    it('rejects out-of-range settings before any call', async () => {
      const error = (await errorOf(providers().create({ provider: 'openai', model: 'gpt-4o', apiKey: REQUEST_KEY, temperature: 3, maxTokens: 0 }))) as ModelConfigurationError;
      expect(error.reason).toBe('invalid-settings');
      expect(error.message).toContain('temperature');
      expect(error.message).toContain('maxTokens');
    });

    it('passes the settings to the provider', async () => {
      const model = await providers().create({ provider: 'openai', model: 'gpt-4o-mini', apiKey: REQUEST_KEY, temperature: 0.2, maxTokens: 64, topP: 0.9, stop: ['END'] });
      await completeChat(model, 'hi');
      expect(server.completions[0].body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 64, top_p: 0.9, stop: ['END'] });
    });
  });

  describe('reuse', () => {
    it('answers the same model for the same endpoint, key and settings, and a new one when any differs', async () => {
      const registry = providers();
      const spec = { provider: 'openai' as const, model: 'gpt-4o-mini', apiKey: REQUEST_KEY, temperature: 0.2 };
      const first = await registry.create(spec);
      expect(await registry.create({ ...spec })).toBe(first);
      expect(await registry.create({ ...spec, temperature: 0.3 })).not.toBe(first);
      expect(await registry.create({ ...spec, model: 'gpt-4o' })).not.toBe(first);
      expect(await registry.create({ ...spec, maxRetries: 0 })).not.toBe(first);
      const otherKey = await registry.create({ ...spec, apiKey: `${REQUEST_KEY}-other` });
      expect(otherKey).not.toBe(first);
      await completeChat(otherKey, 'hi');
      expect(authorizationOfLastCall()).toBe(`Bearer ${REQUEST_KEY}-other`);
    });

    it("looks the stored key up on every call, so a user's new key is used at once", async () => {
      const registry = providers();
      storedKeys.set('rotating-user', 'sk-stored-old-0123456789');
      const before = await registry.create({ provider: 'openai', model: 'gpt-4o-mini', userId: 'rotating-user' });
      storedKeys.set('rotating-user', 'sk-stored-new-0123456789');
      const after = await registry.create({ provider: 'openai', model: 'gpt-4o-mini', userId: 'rotating-user' });
      expect(lookups).toHaveLength(2);
      expect(after).not.toBe(before);
      await completeChat(after, 'hi');
      expect(authorizationOfLastCall()).toBe('Bearer sk-stored-new-0123456789');
      storedKeys.delete('rotating-user');
    });

    it('makes a model again once the reuse window has passed', async () => {
      const registry = ModelProviders.fromEnv({ OPENAI_BASE_URL: server.baseUrl }, { modelReuseMs: 30 });
      const spec = { provider: 'openai' as const, model: 'gpt-4o-mini', apiKey: REQUEST_KEY };
      const first = await registry.create(spec);
      expect(await registry.create(spec)).toBe(first);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await registry.create(spec)).not.toBe(first);
    });
  });

  describe('secrecy', () => {
    it('never shows the key when the endpoint or the model is serialised or inspected', async () => {
      const registry = providers({ OPENAI_API_KEY: ENV_KEY });
      const endpoint = await registry.resolveEndpoint({ provider: 'openai', model: 'gpt-4o', apiKey: REQUEST_KEY });
      expect(endpoint.revealApiKey()).toBe(REQUEST_KEY);
      expect(JSON.stringify(endpoint)).not.toContain(REQUEST_KEY);
      expect(JSON.stringify(endpoint)).toContain('[redacted]');
      expect(inspect(endpoint, { depth: 5 })).not.toContain(REQUEST_KEY);
      const model = await registry.create({ provider: 'openai', model: 'gpt-4o', apiKey: REQUEST_KEY });
      expect(JSON.stringify(model)).not.toContain(REQUEST_KEY);
      expect(JSON.stringify(describeModel(model))).not.toContain(REQUEST_KEY);
    });

    it('never puts the key in a configuration error', async () => {
      const error = (await errorOf(
        ModelProviders.fromEnv({ OPENAI_API_KEY: ENV_KEY }).create({ provider: 'openai', model: 'gpt-4o', baseUrl: 'http://127.0.0.1:1/v1' }),
      )) as ModelConfigurationError;
      expect(JSON.stringify({ message: error.message, body: error.toBody() })).not.toContain(ENV_KEY);
    });
  });
});
