/** Injection tokens for the model registry and the price table (plain classes from libs/llm). */
export const MODEL_PROVIDERS_TOKEN = Symbol('MODEL_PROVIDERS');
export const PRICE_TABLE_TOKEN = Symbol('PRICE_TABLE');
