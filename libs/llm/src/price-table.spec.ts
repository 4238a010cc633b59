import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '#config';
import { FakeOpenAiServer } from '#testing';
import { completeChat } from './chat-stream.js';
import { ModelProviders } from './model-providers.js';
import { addUsage, DEFAULT_PRICES, PriceTable } from './price-table.js';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('PriceTable', () => {
  it('keeps prices as integer micro-dollars per million tokens', () => {
    for (const models of Object.values(DEFAULT_PRICES)) {
      for (const price of Object.values(models ?? {})) {
        expect(Number.isSafeInteger(price.input) && Number.isSafeInteger(price.output)).toBe(true);
      }
    }
    expect(PriceTable.of().priceOf('openai', 'gpt-4o')).toEqual({ input: 2_500_000, output: 10_000_000, cachedInput: 1_250_000 });
  });

  it('computes the cost of a step exactly, rounding only the final micro-dollar', () => {
    const table = PriceTable.of();
    // 1000 x $0.15/M + 500 x $0.60/M = $0.00015 + $0.0003 = 450 micro-dollars.
    expect(table.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 500 })).toEqual({ costMicros: 450, priceKnown: true });
    // Cached prompt tokens at the cached price: 600 x 2.5 + 400 x 1.25 + 100 x 10 = 3000 micro-dollars.
    expect(table.costOf('openai', 'gpt-4o', { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 100 }).costMicros).toBe(3000);
    // 3 x 0.15 = 0.45 micro-dollars rounds to 0; 4 x 0.15 = 0.6 rounds to 1.
    expect(table.costOf('openai', 'gpt-4o-mini', { inputTokens: 3, outputTokens: 0 }).costMicros).toBe(0);
    expect(table.costOf('openai', 'gpt-4o-mini', { inputTokens: 4, outputTokens: 0 }).costMicros).toBe(1);
    // Huge counts stay exact.
    expect(table.costOf('openai', 'gpt-4o', { inputTokens: 2_000_000_000, outputTokens: 0 }).costMicros).toBe(5_000_000_000);
  });

  it('adds up the usage of several calls', () => {
    expect(addUsage({ inputTokens: 10, outputTokens: 2 }, { inputTokens: 5, outputTokens: 1, cachedInputTokens: 3 })).toEqual({ inputTokens: 15, outputTokens: 3, cachedInputTokens: 3 });
  });

  it('finds dated snapshots and provider-wide prices', () => {
    const table = PriceTable.of();
    expect(table.costOf('openai', 'gpt-4o-mini-2024-07-18', { inputTokens: 1000, outputTokens: 500 }).costMicros).toBe(450);
    expect(table.costOf('ollama', 'llama3.1:8b', { inputTokens: 10_000, outputTokens: 10_000 })).toEqual({ costMicros: 0, priceKnown: true });
  });

  it('prices an unknown model at 0 and says the price is unknown', () => {
    expect(PriceTable.of().costOf('groq', 'llama-3.3-70b-versatile', { inputTokens: 1000, outputTokens: 1000 })).toEqual({ costMicros: 0, priceKnown: false });
    expect(PriceTable.of().costOf('openai', 'toString', { inputTokens: 1, outputTokens: 1 }).priceKnown).toBe(false);
  });

  it('lets the operator override and add prices through MODEL_PRICES, inline or as a file', () => {
    const inline = PriceTable.fromEnv({
      MODEL_PRICES: JSON.stringify({ openai: { 'gpt-4o': { input: 1_000_000, output: 2_000_000 } }, groq: { 'llama-3.3-70b-versatile': { input: 590_000, output: 790_000 } } }),
    });
    expect(inline.costOf('openai', 'gpt-4o', { inputTokens: 1_000_000, outputTokens: 1_000_000 }).costMicros).toBe(3_000_000);
    expect(inline.costOf('groq', 'llama-3.3-70b-versatile', { inputTokens: 1_000_000, outputTokens: 0 })).toEqual({ costMicros: 590_000, priceKnown: true });
    // Models the override does not name keep their defaults.
    expect(inline.costOf('openai', 'gpt-4o-mini', { inputTokens: 1000, outputTokens: 500 }).costMicros).toBe(450);

    const path = join(mkdtempSync(join(tmpdir(), 'prices-')), 'prices.json');
    writeFileSync(path, JSON.stringify({ vllm: { '*': { input: 10_000, output: 20_000 } } }));
    expect(PriceTable.fromEnv({ MODEL_PRICES: path }).costOf('vllm', 'qwen', { inputTokens: 1_000_000, outputTokens: 1_000_000 }).costMicros).toBe(30_000);
    expect(PriceTable.fromEnv({}).priceOf('openai', 'gpt-4o')?.input).toBe(2_500_000);
  });

  it('rejects bad MODEL_PRICES values, naming the variable and the entry', () => {
    expect(configErrorOf(() => PriceTable.fromEnv({ MODEL_PRICES: '{not json' })).message).toContain('MODEL_PRICES is not valid JSON');
    expect(configErrorOf(() => PriceTable.fromEnv({ MODEL_PRICES: '/nowhere/prices.json' })).message).toContain('MODEL_PRICES');
    const floats = configErrorOf(() => PriceTable.fromEnv({ MODEL_PRICES: JSON.stringify({ openai: { 'gpt-4o': { input: 2.5, output: 10 } } }) }));
    expect(floats.message).toContain('MODEL_PRICES.openai["gpt-4o"].input must be an integer');
    const problems = configErrorOf(() =>
      PriceTable.fromEnv({ MODEL_PRICES: JSON.stringify({ nope: {}, openai: { m: { input: -1, output: 1 }, n: { input: 1, output: 1, extra: 1 } } }) }),
    ).problems;
    expect(problems.some((p) => p.includes('unknown provider "nope"'))).toBe(true);
    expect(problems.some((p) => p.includes('["m"].input'))).toBe(true);
    expect(problems.some((p) => p.includes('unknown field(s) extra'))).toBe(true);
    expect(configErrorOf(() => PriceTable.fromEnv({ MODEL_PRICES: '[]' })).message).toContain('MODEL_PRICES must be a JSON object');
  });

  it('costs a real call from the usage the provider reported', async () => {
    const server = await FakeOpenAiServer.start();
    try {
      server.replyText('priced', { usage: { promptTokens: 2000, completionTokens: 1000 } });
      const providers = ModelProviders.fromEnv({ OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-price-test-000000' });
      const prices = PriceTable.fromEnv({ MODEL_PRICES: JSON.stringify({ openai: { 'gpt-4o-mini': { input: 1_000_000, output: 4_000_000 } } }) });
      const result = await completeChat(await providers.create({ provider: 'openai', model: 'gpt-4o-mini' }), 'hi');
      // 2000 x $1/M + 1000 x $4/M = 2000 + 4000 micro-dollars.
      expect(prices.costOf('openai', result.responseModel ?? 'gpt-4o-mini', result.usage!)).toEqual({ costMicros: 6000, priceKnown: true });
    } finally {
      await server.stop();
    }
  });
});
