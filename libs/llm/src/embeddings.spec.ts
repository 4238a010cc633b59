import { FakeOpenAiServer } from '#testing';
import { bytesToVector, HashingEmbedder, vectorToBytes } from './embeddings.js';
import { ModelProviderError } from './llm-errors.js';
import { ModelProviders } from './model-providers.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i], 0);

describe('the built-in hashing embedder', () => {
  const embedder = new HashingEmbedder(384);

  it('is deterministic, unit-length, and puts texts sharing words and word parts closer than unrelated ones', async () => {
    const [a, again, inflected, other] = await embedder.embed(['Refunds for returned parcels', 'Refunds for returned parcels', 'refunding a returned parcel', 'Rotate passwords quarterly']);
    expect(Array.from(a)).toEqual(Array.from(again));
    expect(cosine(a, a)).toBeCloseTo(1, 5);
    expect(cosine(a, inflected)).toBeGreaterThan(0.4);
    expect(cosine(a, other)).toBeLessThan(0.15);
  });

  it('gives a text without words the zero vector, and refuses impossible dimensions', async () => {
    const [empty] = await embedder.embed(['  ... !!! ']);
    expect(empty.every((v) => v === 0)).toBe(true);
    expect(() => new HashingEmbedder(8)).toThrow(RangeError);
  });

  it('stores vectors as float32 bytes and reads them back unchanged', async () => {
    const [vector] = await embedder.embed(['round trip']);
    expect(Array.from(bytesToVector(vectorToBytes(vector)))).toEqual(Array.from(vector));
  });
});

describe('an OpenAI-compatible embeddings endpoint', () => {
  let fake: FakeOpenAiServer;

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
  });

  afterAll(async () => {
    await fake.stop();
  });

  const providers = (key?: string) => ModelProviders.fromEnv({ OPENAI_BASE_URL: fake.baseUrl, ...(key ? { OPENAI_API_KEY: key } : {}) });

  it('embeds a batch with the platform key, asking OpenAI models for the dimensions', async () => {
    fake.requireApiKey('sk-embed');
    const embedder = await providers('sk-embed').createEmbedder({ provider: 'openai', model: 'text-embedding-3-small', dimensions: 24 });
    const vectors = await embedder.embed(['alpha beta', 'gamma']);
    expect(vectors.map((v) => v.length)).toEqual([24, 24]);
    const sent = fake.embeddingRequests.at(-1);
    expect(sent?.body).toMatchObject({ model: 'text-embedding-3-small', input: ['alpha beta', 'gamma'], dimensions: 24 });
    expect(sent?.headers.authorization).toBe('Bearer sk-embed');
  });

  it('turns provider errors into ModelProviderError without the key, and refuses vectors of the wrong size', async () => {
    fake.requireApiKey('sk-right');
    const refused = await (await providers('sk-wrong').createEmbedder({ provider: 'openai', model: 'm', dimensions: 16 })).embed(['x']).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ModelProviderError);
    expect(refused).toMatchObject({ kind: 'authentication', retryable: false });
    expect(String((refused as Error).message)).not.toContain('sk-wrong');

    fake.failEmbeddings(503);
    const down = await (await providers('sk-right').createEmbedder({ provider: 'openai', model: 'm', dimensions: 16 })).embed(['x']).catch((e: unknown) => e);
    expect(down).toMatchObject({ kind: 'server', retryable: true });

    fake.embeddingDimensions = 12;
    const ollama = await ModelProviders.fromEnv({ OLLAMA_BASE_URL: fake.baseUrl }).createEmbedder({ provider: 'ollama', model: 'nomic-embed-text', dimensions: 16 });
    fake.requireApiKey(undefined);
    const wrong = await ollama.embed(['x']).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ kind: 'invalid_response' });
    expect(String((wrong as Error).message)).toContain('12 dimensions');
    expect(fake.embeddingRequests.at(-1)?.body).not.toHaveProperty('dimensions');
  });

  it('needs an OpenAI-compatible provider and a key where the provider requires one', async () => {
    await expect(ModelProviders.fromEnv({}).createEmbedder({ provider: 'anthropic', model: 'x', dimensions: 16 })).rejects.toMatchObject({ reason: 'unsupported-provider' });
    await expect(ModelProviders.fromEnv({}).createEmbedder({ provider: 'openai', model: 'x', dimensions: 16 })).rejects.toMatchObject({ reason: 'missing-api-key' });
  });
});
