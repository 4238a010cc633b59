import { loadExecutionConfig } from '#config';
import { AppError, ErrorCode, PROVIDER_KEYS_CHANGED, type RpcContract } from '#contracts';
import { type BusClient, InProcessBroadcast } from '#messaging';
import { ProviderKeysService } from './provider-keys.service.js';

const USER = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';

/** Identity's reveal as execution sees it over the bus: the stored keys, NOT_FOUND for none, or an outage. */
class Identity implements BusClient {
  readonly stored = new Map<string, string>();
  asked = 0;
  down = false;
  /** While set, answers wait for it (a lookup in flight). */
  hold: Promise<void> | undefined;

  async request<Req, Res>(contract: RpcContract<Req, Res>, data: Req): Promise<Res> {
    expect(contract.subject).toBe('identity.provider-keys.reveal');
    const { userId, provider } = data as { userId: string; provider: string };
    this.asked++;
    const answer = this.stored.get(`${userId}/${provider}`);
    await this.hold;
    if (this.down) throw new AppError(ErrorCode.UNAVAILABLE, 'identity is not answering');
    if (answer === undefined) throw new AppError(ErrorCode.NOT_FOUND, 'no provider key is set');
    return { provider, apiKey: answer } as Res;
  }

  isConnected(): boolean {
    return true;
  }
}

/** Lets queued broadcast deliveries run. */
const delivered = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ProviderKeysService', () => {
  let identity: Identity;
  let broadcast: InProcessBroadcast;
  let keys: ProviderKeysService;

  beforeEach(() => {
    identity = new Identity();
    broadcast = new InProcessBroadcast();
    keys = new ProviderKeysService(identity, broadcast, { ...loadExecutionConfig({}), providerKeyCacheMs: 60_000 });
  });

  afterEach(() => keys.onModuleDestroy());

  it('asks identity once, then answers the key from memory; that a user has none is kept too', async () => {
    identity.stored.set(`${USER}/openai`, 'sk-one');
    expect(await keys.lookup(USER, 'openai')).toBe('sk-one');
    expect(await keys.lookup(USER, 'openai')).toBe('sk-one');
    expect(await keys.lookup(OTHER, 'openai')).toBeUndefined();
    expect(await keys.lookup(OTHER, 'openai')).toBeUndefined();
    expect(identity.asked).toBe(2);
  });

  it("forgets a user's keys when identity says they changed, and only that user's", async () => {
    identity.stored.set(`${USER}/openai`, 'sk-old');
    identity.stored.set(`${OTHER}/openai`, 'sk-other');
    await keys.lookup(USER, 'openai');
    await keys.lookup(USER, 'anthropic');
    await keys.lookup(OTHER, 'openai');
    identity.stored.set(`${USER}/openai`, 'sk-new');
    identity.stored.set(`${USER}/anthropic`, 'sk-ant');
    broadcast.publish(PROVIDER_KEYS_CHANGED, { userId: USER });
    await delivered();
    expect(await keys.lookup(USER, 'openai')).toBe('sk-new');
    expect(await keys.lookup(USER, 'anthropic')).toBe('sk-ant');
    expect(await keys.lookup(OTHER, 'openai')).toBe('sk-other');
    expect(identity.asked).toBe(5);
  });

  it('does not keep an answer that was on its way when the key changed', async () => {
    identity.stored.set(`${USER}/openai`, 'sk-old');
    let release!: () => void;
    identity.hold = new Promise((resolve) => (release = resolve));
    const inFlight = keys.lookup(USER, 'openai');
    await delivered();
    identity.stored.set(`${USER}/openai`, 'sk-new');
    broadcast.publish(PROVIDER_KEYS_CHANGED, { userId: USER });
    await delivered();
    release();
    expect(await inFlight).toBe('sk-old');
    identity.hold = undefined;
    expect(await keys.lookup(USER, 'openai')).toBe('sk-new');
  });

  it('keeps an entry no longer than EXECUTION_PROVIDER_KEY_CACHE_MS, for a missed broadcast', async () => {
    identity.stored.set(`${USER}/openai`, 'sk-old');
    const t0 = 1_000_000;
    await keys.lookup(USER, 'openai', t0);
    identity.stored.set(`${USER}/openai`, 'sk-new');
    expect(await keys.lookup(USER, 'openai', t0 + 59_999)).toBe('sk-old');
    expect(await keys.lookup(USER, 'openai', t0 + 60_000)).toBe('sk-new');
  });

  it('keeps nothing when identity cannot answer, and never falls back to "no key"', async () => {
    identity.down = true;
    await expect(keys.lookup(USER, 'openai')).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    identity.down = false;
    identity.stored.set(`${USER}/openai`, 'sk-one');
    expect(await keys.lookup(USER, 'openai')).toBe('sk-one');
  });

  it('asks identity every time with EXECUTION_PROVIDER_KEY_CACHE_MS=0', async () => {
    const uncached = new ProviderKeysService(identity, broadcast, { ...loadExecutionConfig({}), providerKeyCacheMs: 0 });
    await uncached.lookup(USER, 'openai');
    await uncached.lookup(USER, 'openai');
    expect(identity.asked).toBe(2);
    uncached.onModuleDestroy();
  });
});
