/**
 * Model providers on @langchain/core chat models, prices, usage and cost.
 *
 * Environment (read once by ModelProviders.fromEnv and PriceTable.fromEnv):
 * - `<PROVIDER>_API_KEY`: the platform's key for a provider, used when neither the request nor the
 *   user brings one: OPENAI_API_KEY, AZURE_OPENAI_API_KEY, MISTRAL_API_KEY, GROQ_API_KEY,
 *   OPENROUTER_API_KEY, DEEPSEEK_API_KEY, XAI_API_KEY, TOGETHER_API_KEY, OLLAMA_API_KEY,
 *   VLLM_API_KEY, LMSTUDIO_API_KEY (the local three work without one), ANTHROPIC_API_KEY.
 * - `<PROVIDER>_BASE_URL`: the provider's OpenAI-compatible endpoint (OPENAI_BASE_URL as the
 *   OpenAI SDK names it); defaults in PROVIDER_PROFILES; AZURE_OPENAI_BASE_URL has none.
 *   ANTHROPIC_BASE_URL is the Messages API root without /v1 (default https://api.anthropic.com).
 * - `MODEL_PRICES`: price overrides, inline JSON or a JSON file path (see PriceTable.fromEnv).
 */
export * from './llm-errors.js';
export { describeModel, isModelProvider, ModelProviders, PROVIDER_PROFILES, providerEnvVariable, ResolvedEndpoint } from './model-providers.js';
export type { CreateModelInput, KeySource, ModelInfo, ModelSpec, StoredKeyLookup } from './model-providers.js';
export * from './price-table.js';
export * from './chat-stream.js';
export { checkModelSettings } from './model-settings.js';
export * from './embeddings.js';
