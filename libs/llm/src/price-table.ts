import { readFileSync } from 'node:fs';
import { ConfigError } from '#config';
import { MODEL_PROVIDERS, type ModelProvider } from '#contracts';

/**
 * Prices of one model in integer micro-dollars (1 USD = 1,000,000) per million tokens, so
 * $2.50 / 1M tokens is 2_500_000. Money is never a float here.
 */
export interface ModelPrice {
  input: number;
  output: number;
  /** Prompt tokens served from the provider's cache; defaults to the input price. */
  cachedInput?: number;
}

/** Token counts of one model call, as providers report them. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Part of inputTokens read from the prompt cache. */
  cachedInputTokens?: number;
}

/** Sums the usage of several calls (a run's total). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const cached = (a.cachedInputTokens ?? 0) + (b.cachedInputTokens ?? 0);
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, ...(cached > 0 ? { cachedInputTokens: cached } : {}) };
}

export interface StepCost {
  /** Integer micro-dollars, rounded half up from the exact product. */
  costMicros: number;
  /**
   * False when no price is known for the model: costMicros is then 0 and the step should be shown
   * as "cost unknown" rather than free, and the operator can add the model to MODEL_PRICES.
   */
  priceKnown: boolean;
}

/** provider -> model (or "*" for every model of the provider) -> price. */
export type PriceList = Partial<Record<ModelProvider, Record<string, ModelPrice>>>;

const usd = (dollarsPerMillion: number) => Math.round(dollarsPerMillion * 1_000_000);
const price = (input: number, output: number, cachedInput?: number): ModelPrice => ({
  input: usd(input),
  output: usd(output),
  ...(cachedInput === undefined ? {} : { cachedInput: usd(cachedInput) }),
});

/**
 * Defaults: OpenAI's and Anthropic's list prices (standard tier, USD per 1M tokens) as published
 * in 2025. Operators should check them against their contract and override with MODEL_PRICES.
 * Self-hosted servers cost nothing per token. Anthropic's cachedInput is its cache-read price;
 * cache writes (1.25x input) are counted at the input price, since usage does not separate them.
 * Anthropic's long-context (>200k prompt) surcharge is not modelled either.
 */
export const DEFAULT_PRICES: PriceList = {
  openai: {
    'gpt-5': price(1.25, 10, 0.125),
    'gpt-5-mini': price(0.25, 2, 0.025),
    'gpt-5-nano': price(0.05, 0.4, 0.005),
    'gpt-4.1': price(2, 8, 0.5),
    'gpt-4.1-mini': price(0.4, 1.6, 0.1),
    'gpt-4.1-nano': price(0.1, 0.4, 0.025),
    'gpt-4o': price(2.5, 10, 1.25),
    'gpt-4o-mini': price(0.15, 0.6, 0.075),
    o3: price(2, 8, 0.5),
    'o3-mini': price(1.1, 4.4, 0.55),
    'o4-mini': price(1.1, 4.4, 0.275),
    'gpt-4-turbo': price(10, 30),
    'gpt-3.5-turbo': price(0.5, 1.5),
  },
  // Dated ids ("claude-sonnet-4-20250514") fall back to these names; "-0"/"-latest" are Anthropic's aliases.
  anthropic: {
    'claude-opus-4-5': price(5, 25, 0.5),
    'claude-opus-4-1': price(15, 75, 1.5),
    'claude-opus-4': price(15, 75, 1.5),
    'claude-opus-4-0': price(15, 75, 1.5),
    'claude-sonnet-4-5': price(3, 15, 0.3),
    'claude-sonnet-4': price(3, 15, 0.3),
    'claude-sonnet-4-0': price(3, 15, 0.3),
    'claude-3-7-sonnet': price(3, 15, 0.3),
    'claude-3-7-sonnet-latest': price(3, 15, 0.3),
    'claude-haiku-4-5': price(1, 5, 0.1),
    'claude-3-5-haiku': price(0.8, 4, 0.08),
    'claude-3-5-haiku-latest': price(0.8, 4, 0.08),
    'claude-3-haiku': price(0.25, 1.25, 0.03),
  },
  ollama: { '*': price(0, 0) },
  vllm: { '*': price(0, 0) },
  lmstudio: { '*': price(0, 0) },
};

/** Prices are bounded so that tokens x price stays far inside exact integer arithmetic. */
const MAX_PRICE = 1_000_000_000_000;
// Providers answer with dated snapshots of the model asked for: OpenAI "gpt-4o-mini-2024-07-18",
// Anthropic "claude-sonnet-4-20250514".
const DATED_SNAPSHOT = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

export class PriceTable {
  private constructor(private readonly prices: PriceList) {}

  /** The built-in defaults with `overrides` on top (model by model). */
  static of(overrides: PriceList = {}, defaults: PriceList = DEFAULT_PRICES): PriceTable {
    const merged: PriceList = {};
    for (const provider of MODEL_PROVIDERS) {
      const models = { ...defaults[provider], ...overrides[provider] };
      if (Object.keys(models).length > 0) merged[provider] = models;
    }
    return new PriceTable(merged);
  }

  /**
   * MODEL_PRICES: either inline JSON (starts with "{" or "[") or the path of a JSON file, shaped
   * `{"openai": {"gpt-4o": {"input": 2500000, "output": 10000000, "cachedInput": 1250000}}}` in
   * micro-dollars per million tokens; "*" as a model name prices every model of a provider.
   * Entries replace the defaults of the same model; a bad value throws ConfigError naming the variable.
   */
  static fromEnv(env: Record<string, string | undefined> = process.env, variable = 'MODEL_PRICES'): PriceTable {
    const value = env[variable]?.trim();
    if (!value) return PriceTable.of();
    let text = value;
    if (!value.startsWith('{') && !value.startsWith('[')) {
      try {
        text = readFileSync(value, 'utf8');
      } catch {
        throw new ConfigError([`${variable} must be inline JSON or the path of a readable JSON file (could not read "${value}")`]);
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConfigError([`${variable} is not valid JSON`]);
    }
    const problems: string[] = [];
    const overrides = parsePriceList(parsed, problems, variable);
    if (problems.length > 0) throw new ConfigError(problems);
    return PriceTable.of(overrides);
  }

  /** The price of a model: exact name, then without a date suffix, then the provider's "*". */
  priceOf(provider: ModelProvider, model: string): ModelPrice | undefined {
    const models = this.prices[provider];
    if (!models) return undefined;
    return own(models, model) ?? own(models, model.replace(DATED_SNAPSHOT, '')) ?? own(models, '*');
  }

  /** The cost of one model call; unknown model -> 0 with priceKnown false. */
  costOf(provider: ModelProvider, model: string, usage: TokenUsage): StepCost {
    const p = this.priceOf(provider, model);
    if (!p) return { costMicros: 0, priceKnown: false };
    const input = tokens(usage.inputTokens);
    const cached = Math.min(tokens(usage.cachedInputTokens ?? 0), input);
    // BigInt keeps the product exact for any token count; only the final division rounds.
    const numerator =
      BigInt(input - cached) * BigInt(p.input) + BigInt(cached) * BigInt(p.cachedInput ?? p.input) + BigInt(tokens(usage.outputTokens)) * BigInt(p.output);
    const micros = (numerator + 500_000n) / 1_000_000n;
    return { costMicros: Number(micros), priceKnown: true };
  }

  /** A plain copy, e.g. for an admin endpoint that shows the prices in force. */
  toJSON(): PriceList {
    return structuredClone(this.prices);
  }
}

function own(models: Record<string, ModelPrice>, key: string): ModelPrice | undefined {
  return Object.hasOwn(models, key) ? models[key] : undefined;
}

function tokens(value: number): number {
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function parsePriceList(value: unknown, problems: string[], variable: string): PriceList {
  if (!isPlainObject(value)) {
    problems.push(`${variable} must be a JSON object of provider -> model -> {"input", "output"}`);
    return {};
  }
  const out: PriceList = {};
  for (const [provider, models] of Object.entries(value)) {
    if (!(MODEL_PROVIDERS as readonly string[]).includes(provider)) {
      problems.push(`${variable}: unknown provider "${provider.slice(0, 40)}" (one of ${MODEL_PROVIDERS.join(', ')})`);
      continue;
    }
    if (!isPlainObject(models)) {
      problems.push(`${variable}.${provider} must be an object of model -> price`);
      continue;
    }
    const entries: Record<string, ModelPrice> = {};
    for (const [model, entry] of Object.entries(models)) {
      const where = `${variable}.${provider}["${model.slice(0, 80)}"]`;
      if (model.trim() === '' || model.length > 200) {
        problems.push(`${where}: model names must be 1-200 characters`);
        continue;
      }
      if (!isPlainObject(entry)) {
        problems.push(`${where} must be {"input": <int>, "output": <int>}`);
        continue;
      }
      const unknownFields = Object.keys(entry).filter((k) => !['input', 'output', 'cachedInput'].includes(k));
      if (unknownFields.length > 0) problems.push(`${where}: unknown field(s) ${unknownFields.join(', ')}`);
      const fieldOk = (field: string, required: boolean) => {
        const v = entry[field];
        if (v === undefined && !required) return true;
        if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_PRICE) return true;
        problems.push(`${where}.${field} must be an integer number of micro-dollars per million tokens between 0 and ${MAX_PRICE}`);
        return false;
      };
      if (fieldOk('input', true) && fieldOk('output', true) && fieldOk('cachedInput', false)) {
        entries[model] = { input: entry.input as number, output: entry.output as number, ...(entry.cachedInput === undefined ? {} : { cachedInput: entry.cachedInput as number }) };
      }
    }
    out[provider as ModelProvider] = entries;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
