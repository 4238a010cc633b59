import { loadAgentConfig } from '#config';
import type { AgentSnapshot, AgentView } from '#contracts';
import { InProcessBroadcast } from '#messaging';
import { AgentConfigCache, type CachedAgent } from './agent-config-cache.js';

const config = { cacheTtlSeconds: 10, cacheMaxEntries: 2, maxPromptChars: 1000, retentionDays: 30, knowledge: loadAgentConfig({}).knowledge };
const entry = (agentId: string, currentVersion = 1): CachedAgent => ({
  agentId,
  ownerId: 'owner',
  name: agentId,
  isActive: true,
  currentVersion,
  view: { id: agentId, name: agentId, currentVersion } as AgentView,
  snapshots: new Map([[currentVersion, { systemPrompt: `v${currentVersion}` } as AgentSnapshot]]),
});

describe('the agent config cache', () => {
  it('serves an entry until its TTL passes', () => {
    const cache = new AgentConfigCache(config, new InProcessBroadcast());
    cache.set(entry('a'), cache.stamp(), 1_000);
    expect(cache.get('a', 10_999)?.name).toBe('a');
    expect(cache.get('a', 11_000)).toBeUndefined();
  });

  it('forgets an entry when it is invalidated', () => {
    const cache = new AgentConfigCache(config, new InProcessBroadcast());
    cache.set(entry('a'), cache.stamp());
    cache.invalidate('a');
    expect(cache.get('a')).toBeUndefined();
  });

  it('does not store a load that started before the agent was invalidated', () => {
    const cache = new AgentConfigCache(config, new InProcessBroadcast());
    const stamp = cache.stamp();
    cache.invalidate('a');
    expect(cache.set(entry('a', 1), stamp)).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.set(entry('a', 2), cache.stamp())).toBe(true);
    expect(cache.get('a')?.currentVersion).toBe(2);
  });

  it('evicts the oldest entry beyond its size', () => {
    const cache = new AgentConfigCache(config, new InProcessBroadcast());
    for (const id of ['a', 'b', 'c']) cache.set(entry(id), cache.stamp());
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('stores nothing when the TTL is 0', () => {
    const cache = new AgentConfigCache({ ...config, cacheTtlSeconds: 0 }, new InProcessBroadcast());
    expect(cache.set(entry('a'), cache.stamp())).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });
  it('forgets an entry that another cache on the same broadcast invalidated', async () => {
    const broadcast = new InProcessBroadcast();
    const here = new AgentConfigCache(config, broadcast);
    const there = new AgentConfigCache(config, broadcast);
    here.onModuleInit();
    there.onModuleInit();
    there.set(entry('a'), there.stamp());
    here.invalidate('a');
    await new Promise((r) => setTimeout(r, 0));
    expect(there.get('a')).toBeUndefined();
    there.onModuleDestroy();
    here.onModuleDestroy();
  });
});
