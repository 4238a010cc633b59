import { loadExecutionConfig } from '#config';
import { type Actor, AGENT_CONFIG_INVALIDATED, AppError, ErrorCode, type ResolvedAgent, type RpcContract, serviceActor } from '#contracts';
import { type BusClient, InProcessBroadcast } from '#messaging';
import { ResolvedAgentsService } from './resolved-agents.service.js';

const OWNER = '00000000-0000-4000-8000-000000000001';
const STRANGER = '00000000-0000-4000-8000-000000000002';
const AGENT = '00000000-0000-4000-8000-0000000000a1';
const user = (userId: string): Actor => ({ kind: 'user', userId });

/** The agent service's resolve as execution sees it: the agent's versions, 404 for another user. */
class AgentService implements BusClient {
  current = 1;
  asked = 0;

  async request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: { actor: Actor }): Promise<Res> {
    expect(contract.subject).toBe('agent.agents.resolve');
    const { version } = data as { agentId: string; version?: number };
    this.asked++;
    await Promise.resolve();
    if (options.actor.kind === 'user' && options.actor.userId !== OWNER) throw new AppError(ErrorCode.NOT_FOUND, 'agent not found');
    const v = version ?? this.current;
    return { agentId: AGENT, ownerId: OWNER, name: 'A', version: v, snapshot: { systemPrompt: `v${v}` } } as unknown as Res;
  }

  isConnected(): boolean {
    return true;
  }
}

const delivered = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ResolvedAgentsService', () => {
  let agents: AgentService;
  let broadcast: InProcessBroadcast;
  let resolved: ResolvedAgentsService;

  beforeEach(() => {
    agents = new AgentService();
    broadcast = new InProcessBroadcast();
    resolved = new ResolvedAgentsService(agents, broadcast, { ...loadExecutionConfig({}), agentCacheMs: 60_000 });
  });

  afterEach(() => resolved.onModuleDestroy());

  it('asks the agent service once per version, then answers from memory', async () => {
    expect((await resolved.resolve(user(OWNER), AGENT)).version).toBe(1);
    expect((await resolved.resolve(user(OWNER), AGENT)).version).toBe(1);
    expect((await resolved.resolve(serviceActor('execution'), AGENT)).version).toBe(1);
    agents.current = 2;
    expect((await resolved.resolve(user(OWNER), AGENT, 1)).version).toBe(1);
    expect(agents.asked).toBe(2);
  });

  it("never answers another user's agent from memory: the agent service's 404 stands", async () => {
    await resolved.resolve(user(OWNER), AGENT);
    await expect(resolved.resolve(user(STRANGER), AGENT)).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
  });

  it('forgets the agent when the agent service says it changed', async () => {
    await resolved.resolve(user(OWNER), AGENT);
    agents.current = 2;
    broadcast.publish(AGENT_CONFIG_INVALIDATED, { agentId: AGENT });
    await delivered();
    const agent: ResolvedAgent = await resolved.resolve(user(OWNER), AGENT);
    expect(agent.version).toBe(2);
  });
});
