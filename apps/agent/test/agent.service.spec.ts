import { randomUUID } from 'node:crypto';
import {
  AccountContracts,
  type Actor,
  type AgentCreatedReply,
  AgentContracts,
  AppError,
  BUILTIN_TOOL_NAMES,
  ConnectionContracts,
  ToolRefContracts,
  ConfigCacheContracts,
  KnowledgeBaseContracts,
  type CreateAgentRequest,
  ProjectDeleted,
  type RpcContract,
  type Envelope,
  serviceActor,
  TemplateContracts,
  UserDeleted,
  WizardContracts,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query } from '#testing';
import { agentApp } from '../src/agent.app.js';
import { AgentsService } from '../src/agents/agents.service.js';

/** The agent service against the real PostgreSQL, called through the in-process bus as the gateway calls it. */
describe('agent service', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: 'ok', fields: [] as string[] }),
      (err: unknown) =>
        err instanceof AppError
          ? { code: err.code as string, fields: ((err.details?.errors ?? []) as Array<{ field: string }>).map((e) => e.field) }
          : { code: 'not-an-app-error', fields: [] as string[] },
    );
  const createAgent = (actor: Actor, overrides: Partial<CreateAgentRequest> = {}): Promise<AgentCreatedReply> =>
    call(AgentContracts.create, { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.', ...overrides }, actor);
  const outboxSubjects = async (agentId: string) =>
    (await query<{ subject: string }>(databaseUrl, `SELECT subject FROM agent.outbox WHERE envelope->'data'->>'agentId' = $1 ORDER BY id`, [agentId])).map((r) => r.subject);
  const deliver = (subject: string, data: unknown) =>
    InProcessBus.shared().publish({ id: randomUUID(), subject, occurredAt: new Date().toISOString(), data });

  /**
   * Projects belong to the identity service, which this spec does not run: a stand-in answers
   * identity.projects.get on the real in-process bus, owning every project but these.
   */
  const strangersProjects = new Set<string>();
  let stopProjects: (() => void) | undefined;

  /**
   * Tools belong to the integration service (its own spec tests the check): a stand-in answers
   * integration.tool-refs.check as it does, knowing the built-ins, provider google and no user's
   * tools or servers.
   */
  let stopTools: (() => void) | undefined;
  let stopAuthUrls: (() => void) | undefined;

  beforeAll(async () => {
    stopTools = InProcessBus.shared().respond(ToolRefContracts.check.subject, async (raw) => {
      const { data } = raw as Envelope<{ refs: Array<{ kind: string; name: string; provider?: string }> }>;
      const problems = data.refs.flatMap((ref, index) => {
        if (ref.kind === 'builtin') return (BUILTIN_TOOL_NAMES as readonly string[]).includes(ref.name) ? [] : [{ index, code: 'UNKNOWN_TOOL', message: `no built-in tool ${ref.name}` }];
        if (ref.kind === 'integration') return ref.provider === 'google' ? [] : [{ index, code: 'UNKNOWN_TOOL', message: `no provider ${ref.provider}` }];
        return [{ index, code: 'NOT_FOUND', message: `tools[${index}] not found` }];
      });
      return { ok: true, data: { problems } };
    });
    stopAuthUrls = InProcessBus.shared().respond(ConnectionContracts.authUrls.subject, async (raw) => {
      const { data } = raw as Envelope<{ agentId: string; refs: Array<{ provider?: string }> }>;
      return { ok: true, data: { authUrls: Object.fromEntries(data.refs.map((r) => [r.provider, `https://accounts.example.com/authorize?agent=${data.agentId}`])) } };
    });
    stopProjects = InProcessBus.shared().respond(AccountContracts.getProject.subject, async (raw) => {
      const { data } = raw as Envelope<{ id: string }>;
      if (strangersProjects.has(data.id)) return { ok: false, error: { code: 'NOT_FOUND', message: 'project not found' } };
      const now = new Date().toISOString();
      return { ok: true, data: { id: data.id, name: 'Project', description: null, icon: 'folder', color: '#f97316', isDefault: false, isArchived: false, sortOrder: 0, createdAt: now, updatedAt: now } };
    });
    process.env.AGENT_MAX_PROMPT_CHARS = '2000';
    databaseUrl = await createTestDatabase('agent');
    const config = { ...loadConfig({}), databaseUrl, outboxRelay: false };
    runtime = await Runtime.create(config, 'agent-spec');
    service = await startBusService(agentApp, runtime);
  });

  afterAll(async () => {
    stopProjects?.();
    delete process.env.AGENT_MAX_PROMPT_CHARS;
    stopTools?.();
    stopAuthUrls?.();
    await service?.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('creates an agent with defaults, version 1 and an agent.created event in one statement', async () => {
      const owner = newUser();
      const agent = await createAgent(owner, { name: 'Minimal', modelProvider: undefined, modelName: undefined, systemPrompt: undefined });
      expect(agent).toMatchObject({
        name: 'Minimal',
        icon: 'bot',
        color: '#7C3AED',
        agentType: 'assistive',
        status: 'created',
        modelProvider: 'openai',
        modelName: 'gpt-4o-mini',
        systemPrompt: '',
        tools: [],
        memory: { strategy: 'window', size: 20 },
        currentVersion: 1,
        isActive: true,
        isPublished: false,
        authUrls: {},
      });
      const versions = await call(AgentContracts.listVersions, { id: agent.id }, owner);
      expect(versions.items.map((v) => v.version)).toEqual([1]);
      expect(await outboxSubjects(agent.id)).toEqual(['events.agent.agent.created']);
    });

    it('makes a version for a change a run reads, and none for a cosmetic change', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      const cosmetic = await call(AgentContracts.update, { id: agent.id, icon: 'sparkles', color: '#112233', name: 'Renamed' }, owner);
      expect(cosmetic).toMatchObject({ icon: 'sparkles', color: '#112233', name: 'Renamed', currentVersion: 1 });
      const run = await call(AgentContracts.update, { id: agent.id, configuration: { temperature: 0.9 }, tools: [{ kind: 'builtin', name: 'calculator' }] }, owner);
      expect(run.currentVersion).toBe(2);
      const v2 = await call(AgentContracts.getVersion, { id: agent.id, version: 2 }, owner);
      expect(v2.snapshot).toMatchObject({ systemPrompt: 'Be brief.', configuration: { temperature: 0.9 }, tools: [{ kind: 'builtin', name: 'calculator' }] });
      expect(await outboxSubjects(agent.id)).toEqual(['events.agent.agent.created', 'events.agent.agent.updated', 'events.agent.agent.updated']);
    });

    it('an unchanged PATCH writes no version and no event', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      const same = await call(AgentContracts.update, { id: agent.id, systemPrompt: 'Be brief.', name: 'Helper' }, owner);
      expect(same.currentVersion).toBe(1);
      expect(await outboxSubjects(agent.id)).toEqual(['events.agent.agent.created']);
    });

    it('keeps versions gapless and each snapshot one state under concurrent PATCHes', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      const writers = Array.from({ length: 12 }, (_, i) =>
        call(AgentContracts.update, { id: agent.id, systemPrompt: `prompt ${i}`, configuration: { temperature: i / 10, maxTokens: 100 + i } }, owner),
      );
      const replies = await Promise.all(writers);
      expect(new Set(replies.map((r) => r.currentVersion))).toEqual(new Set(Array.from({ length: 12 }, (_, i) => i + 2)));
      const versions = (await call(AgentContracts.listVersions, { id: agent.id }, owner)).items;
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
      for (const v of versions.slice(1)) {
        const i = Number(v.snapshot.systemPrompt.replace('prompt ', ''));
        expect(v.snapshot.configuration).toEqual({ temperature: i / 10, maxTokens: 100 + i });
      }
      const current = await call(AgentContracts.get, { id: agent.id }, owner);
      expect(current.currentVersion).toBe(13);
      expect(versions[12].snapshot.systemPrompt).toBe(current.systemPrompt);
    });

    it('moves through the status transitions that make sense, without new versions', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      for (const status of ['running', 'error', 'stopped', 'running'] as const) {
        expect((await call(AgentContracts.update, { id: agent.id, status }, owner)).status).toBe(status);
      }
      expect((await call(AgentContracts.get, { id: agent.id }, owner)).currentVersion).toBe(1);
    });

    it('restores an old version as a new version and publishes a chosen version', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      await call(AgentContracts.update, { id: agent.id, systemPrompt: 'Be verbose.' }, owner);
      const restored = await call(AgentContracts.restoreVersion, { id: agent.id, version: 1 }, owner);
      expect(restored).toMatchObject({ systemPrompt: 'Be brief.', currentVersion: 3 });
      const published = await call(AgentContracts.publish, { id: agent.id, version: 2 }, owner);
      expect(published).toMatchObject({ isPublished: true, publishedVersion: 2 });
    });

    it('soft-deletes an agent and restores it', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      await call(AgentContracts.delete, { id: agent.id }, owner);
      expect((await failure(call(AgentContracts.get, { id: agent.id }, owner))).code).toBe('NOT_FOUND');
      expect((await call(AgentContracts.list, {}, owner)).items).toHaveLength(0);
      expect((await call(AgentContracts.list, { deleted: 'true' }, owner)).items.map((a) => a.id)).toEqual([agent.id]);
      const back = await call(AgentContracts.restore, { id: agent.id }, owner);
      expect(back.deletedAt).toBeNull();
      expect(await outboxSubjects(agent.id)).toEqual(['events.agent.agent.created', 'events.agent.agent.deleted', 'events.agent.agent.restored']);
    });

    it('filters lists by project, type, status and name, and pages by cursor', async () => {
      const owner = newUser();
      const projectId = randomUUID();
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await createAgent(owner, { name: `Bot ${i}`, projectId: i < 3 ? projectId : undefined, agentType: i % 2 === 0 ? 'automation' : 'assistive' })).id);
      await createAgent(owner, { name: 'Other 50%_' });
      await call(AgentContracts.update, { id: made[4], status: 'running' }, owner);
      expect((await call(AgentContracts.list, { projectId }, owner)).items.map((a) => a.name)).toEqual(['Bot 2', 'Bot 1', 'Bot 0']);
      expect((await call(AgentContracts.list, { type: 'automation' }, owner)).items.map((a) => a.name)).toEqual(['Bot 4', 'Bot 2', 'Bot 0']);
      expect((await call(AgentContracts.list, { status: 'running' }, owner)).items.map((a) => a.name)).toEqual(['Bot 4']);
      expect((await call(AgentContracts.list, { q: '50%_' }, owner)).items.map((a) => a.name)).toEqual(['Other 50%_']);
      expect((await call(AgentContracts.list, { q: 'bot' }, owner)).items).toHaveLength(5);
      const first = await call(AgentContracts.list, { limit: 4 }, owner);
      expect(first.items).toHaveLength(4);
      const second = await call(AgentContracts.list, { limit: 4, cursor: first.nextCursor ?? undefined }, owner);
      expect(second.items.map((a) => a.name)).toEqual(['Bot 1', 'Bot 0']);
      expect(second.nextCursor).toBeNull();
    });

    it('starts an agent from a built-in template, the request overriding it', async () => {
      const owner = newUser();
      const templates = await call(TemplateContracts.listAgentTemplates, {}, owner);
      expect(templates.items.map((t) => t.name)).toEqual(expect.arrayContaining(['support_bot', 'research_assistant', 'writing_assistant', 'data_analyst']));
      const agent = await call(AgentContracts.create, { template: 'support_bot', modelName: 'gpt-4o' }, owner);
      expect(agent).toMatchObject({ name: 'Support bot', templateName: 'support_bot', modelName: 'gpt-4o', tools: [] });
      expect(agent.systemPrompt).toContain('customer support agent');
    });

    it('drafts a prompt from the three wizard answers, keeps them, and says refinement was not applied', async () => {
      const owner = newUser();
      const agent = await call(WizardContracts.fromQa, { who: 'Charlie, a support agent for Acme routers', rules: 'Answer in English\nNever promise refunds', tricks: 'Search the manual', refine: true }, owner);
      expect(agent).toMatchObject({ name: 'Charlie', qaWho: 'Charlie, a support agent for Acme routers', qaRules: 'Answer in English\nNever promise refunds', qaTricks: 'Search the manual' });
      expect(agent.systemPrompt).toContain('1. Answer in English\n2. Never promise refunds');
      expect(agent.refinement).toEqual({ requested: true, applied: false, reason: expect.stringContaining('no model is configured') });
      const regenerated = await call(WizardContracts.regeneratePrompt, { id: agent.id, rules: 'Answer in French' }, owner);
      expect(regenerated).toMatchObject({ qaRules: 'Answer in French', currentVersion: 2, refinement: { requested: false, applied: false } });
      expect(regenerated.systemPrompt).toContain('1. Answer in French');
    });

    it('answers an update with the consent links the agent\'s integration tools need, and none when it has no such tools', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      expect(agent.authUrls).toEqual({});
      const renamed = await call(AgentContracts.update, { id: agent.id, name: 'Mailer' }, owner);
      expect(renamed.authUrls).toEqual({});
      const withMail = await call(AgentContracts.update, { id: agent.id, tools: [{ kind: 'integration', name: 'gmail', provider: 'google' }] }, owner);
      expect(withMail).toMatchObject({ currentVersion: 2, authUrls: { google: `https://accounts.example.com/authorize?agent=${agent.id}` } });
      // Still not connected: a later cosmetic change answers the link again.
      expect((await call(AgentContracts.update, { id: agent.id, icon: 'mail' }, owner)).authUrls).toEqual({ google: `https://accounts.example.com/authorize?agent=${agent.id}` });
    });

    it('exports a definition that another user imports as a new agent', async () => {
      const owner = newUser();
      const other = newUser();
      const knowledgeBaseId = (await call(KnowledgeBaseContracts.create, { name: 'Manuals' }, owner)).id;
      const agent = await createAgent(owner, { knowledgeBaseIds: [knowledgeBaseId], tools: [{ kind: 'integration', name: 'gmail', provider: 'google' }] });
      expect(agent.authUrls).toEqual({ google: `https://accounts.example.com/authorize?agent=${agent.id}` });
      expect((await call(AgentContracts.get, { id: agent.id }, owner)).knowledgeBaseIds).toEqual([knowledgeBaseId]);
      const definition = await call(WizardContracts.export, { id: agent.id }, owner);
      expect(definition).toMatchObject({ kind: 'agent-platform/agent-definition', formatVersion: 1, sourceVersion: 1 });
      expect(JSON.stringify(definition)).not.toContain(agent.id);
      const imported = await call(WizardContracts.import, { definition: definition as unknown as Record<string, unknown> }, other);
      expect(imported.id).not.toBe(agent.id);
      expect(imported).toMatchObject({ name: 'Helper', systemPrompt: 'Be brief.', knowledgeBaseIds: [], currentVersion: 1, authUrls: { google: `https://accounts.example.com/authorize?agent=${imported.id}` } });
      expect((await call(AgentContracts.get, { id: imported.id }, other)).tools).toEqual([{ kind: 'integration', name: 'gmail', provider: 'google' }]);
    });

    it('imports the legacy agent shapes of seeds 000 and 001', async () => {
      const owner = newUser();
      const legacy = await call(WizardContracts.import, { definition: { id: 7, user_id: 3, nama_model: 'claude-3-5-sonnet', system_message: 'You help.', tools: '["gmail", "calculator"]', agent_type: 'assistive' } }, owner);
      expect(legacy).toMatchObject({
        modelProvider: 'anthropic',
        modelName: 'claude-3-5-sonnet',
        systemPrompt: 'You help.',
        tools: [
          { kind: 'integration', name: 'gmail', provider: 'google' },
          { kind: 'builtin', name: 'calculator' },
        ],
      });
      const qa = await call(WizardContracts.import, { definition: { name: 'Charlie', qa_who: 'a tutor', qa_rules: 'be kind', qa_tricks: '', system_prompt: 'You are Charlie.', template_name: 'support_bot' } }, owner);
      expect(qa).toMatchObject({ name: 'Charlie', qaWho: 'a tutor', qaRules: 'be kind', systemPrompt: 'You are Charlie.', templateName: 'support_bot' });
    });

    it('resolves the current or a pinned version, and sees a change at once', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      const execution = serviceActor('execution');
      expect(await call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution)).toMatchObject({ agentId: agent.id, ownerId: owner.userId, version: 1, snapshot: { systemPrompt: 'Be brief.' } });
      await call(AgentContracts.update, { id: agent.id, systemPrompt: 'Be bold.' }, owner);
      expect(await call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution)).toMatchObject({ version: 2, snapshot: { systemPrompt: 'Be bold.' } });
      expect(await call(ConfigCacheContracts.resolve, { agentId: agent.id, version: 1 }, execution)).toMatchObject({ version: 1, snapshot: { systemPrompt: 'Be brief.' } });
      await call(AgentContracts.delete, { id: agent.id }, owner);
      expect((await failure(call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution))).code).toBe('NOT_FOUND');
    });

    it('serves a resolved configuration from memory until the agent changes', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      const execution = serviceActor('execution');
      await call(ConfigCacheContracts.warm, { agentId: agent.id }, owner);
      // Behind the service's back: a cached entry does not see this, a database read would.
      await query(databaseUrl, `UPDATE agent.agents SET name = 'changed in the database' WHERE id = $1`, [agent.id]);
      expect((await call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution)).name).toBe('Helper');
      await call(AgentContracts.update, { id: agent.id, name: 'Renamed' }, owner);
      expect((await call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution)).name).toBe('Renamed');
    });

    it('forgets a cached agent changed in a transaction another feature opened: the wizard, an account deletion', async () => {
      const owner = newUser();
      const execution = serviceActor('execution');
      const agent = await call(WizardContracts.fromQa, { who: 'Ada, a maths tutor', rules: 'Explain step by step' }, owner);
      expect((await call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution)).version).toBe(1);
      await call(WizardContracts.regeneratePrompt, { id: agent.id, rules: 'Give hints, never answers' }, owner);
      expect(await call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution)).toMatchObject({
        version: 2,
        snapshot: { systemPrompt: expect.stringContaining('1. Give hints, never answers') },
      });
      await deliver(UserDeleted.subject, { userId: owner.userId });
      expect((await failure(call(ConfigCacheContracts.resolve, { agentId: agent.id }, execution))).code).toBe('NOT_FOUND');
    });

    it('warms one agent and all of a user', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      await createAgent(owner);
      expect(await call(ConfigCacheContracts.warm, { agentId: agent.id }, owner)).toEqual({ warmed: 1, ttlSeconds: 30 });
      expect(await call(ConfigCacheContracts.warmAll, {}, owner)).toEqual({ warmed: 2, ttlSeconds: 30 });
    });

    it('keeps prompt templates in versions', async () => {
      const owner = newUser();
      const created = await call(TemplateContracts.createPromptTemplate, { name: 'polite-reply', content: 'Reply to {{name}}', variables: ['name'] }, owner);
      expect(created).toMatchObject({ name: 'polite-reply', version: 1 });
      const next = await call(TemplateContracts.updatePromptTemplate, { id: created.id, content: 'Reply kindly to {{name}}' }, owner);
      expect(next).toMatchObject({ id: created.id, version: 2, content: 'Reply kindly to {{name}}', variables: ['name'] });
      expect((await call(TemplateContracts.listPromptTemplateVersions, { id: created.id }, owner)).items.map((v) => v.content)).toEqual(['Reply to {{name}}', 'Reply kindly to {{name}}']);
      expect((await call(TemplateContracts.listPromptTemplates, {}, owner)).items).toEqual([next]);
    });

    it('removes every agent, version and prompt template of a deleted user', async () => {
      const owner = newUser();
      const kept = newUser();
      const agent = await createAgent(owner);
      await call(AgentContracts.update, { id: agent.id, systemPrompt: 'v2' }, owner);
      await call(TemplateContracts.createPromptTemplate, { name: 'x', content: 'y' }, owner);
      const other = await createAgent(kept);
      await deliver(UserDeleted.subject, { userId: owner.userId });
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.agents WHERE owner_id = $1', [owner.userId])).toHaveLength(0);
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.agent_versions WHERE agent_id = $1', [agent.id])).toHaveLength(0);
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.templates WHERE owner_id = $1', [owner.userId])).toHaveLength(0);
      expect((await call(AgentContracts.get, { id: other.id }, kept)).id).toBe(other.id);
    });

    it('moves the agents of a deleted project to no project', async () => {
      const owner = newUser();
      const projectId = randomUUID();
      const agent = await createAgent(owner, { projectId });
      await deliver(ProjectDeleted.subject, { projectId, ownerId: owner.userId });
      expect(await call(AgentContracts.get, { id: agent.id }, owner)).toMatchObject({ projectId: null, currentVersion: 1 });
    });
    it('purges agents deleted before the retention window, with their versions, and keeps recent ones', async () => {
      const owner = newUser();
      const [old, recent] = [await createAgent(owner, { name: 'Old' }), await createAgent(owner, { name: 'Recent' })];
      for (const a of [old, recent]) await call(AgentContracts.delete, { id: a.id }, owner);
      await query(databaseUrl, `UPDATE agent.agents SET deleted_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
      expect(await service.app.get(AgentsService).purgeExpired()).toBeGreaterThanOrEqual(1);
      expect(await query(databaseUrl, 'SELECT id FROM agent.agents WHERE id = ANY($1::uuid[])', [[old.id, recent.id]])).toEqual([{ id: recent.id }]);
      expect(await query(databaseUrl, 'SELECT 1 FROM agent.agent_versions WHERE agent_id = $1', [old.id])).toHaveLength(0);
      expect((await call(AgentContracts.restore, { id: recent.id }, owner)).id).toBe(recent.id);
    });
  });

  describe('failing', () => {
    it("a project that is not the caller's -> 400 naming projectId, on create and on update", async () => {
      const owner = newUser();
      const foreign = randomUUID();
      strangersProjects.add(foreign);
      expect(await failure(createAgent(owner, { projectId: foreign }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['projectId'] });
      const agent = await createAgent(owner);
      expect(await failure(call(AgentContracts.update, { id: agent.id, projectId: foreign }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['projectId'] });
      expect((await call(AgentContracts.get, { id: agent.id }, owner)).projectId).toBeNull();
    });

    it("another user's agent is not found on every operation", async () => {
      const owner = newUser();
      const stranger = newUser();
      const agent = await createAgent(owner);
      const id = agent.id;
      const attempts: Array<() => Promise<unknown>> = [
        () => call(AgentContracts.get, { id }, stranger),
        () => call(AgentContracts.update, { id, name: 'mine' }, stranger),
        () => call(AgentContracts.delete, { id }, stranger),
        () => call(AgentContracts.restore, { id }, stranger),
        () => call(AgentContracts.listVersions, { id }, stranger),
        () => call(AgentContracts.getVersion, { id, version: 1 }, stranger),
        () => call(AgentContracts.restoreVersion, { id, version: 1 }, stranger),
        () => call(AgentContracts.publish, { id }, stranger),
        () => call(WizardContracts.regeneratePrompt, { id, who: 'x', rules: 'y' }, stranger),
        () => call(WizardContracts.export, { id }, stranger),
        () => call(ConfigCacheContracts.resolve, { agentId: id }, stranger),
        () => call(ConfigCacheContracts.warm, { agentId: id }, stranger),
      ];
      for (const attempt of attempts) expect((await failure(attempt())).code).toBe('NOT_FOUND');
      expect((await call(AgentContracts.get, { id }, owner)).name).toBe('Helper');
    });

    it('an unknown provider -> VALIDATION_FAILED on modelProvider', async () => {
      expect(await failure(createAgent(newUser(), { modelProvider: 'skynet' as never }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['modelProvider'] });
    });

    it('an empty model name -> VALIDATION_FAILED on modelName', async () => {
      expect(await failure(createAgent(newUser(), { modelName: '' }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['modelName'] });
    });

    it('a prompt over AGENT_MAX_PROMPT_CHARS -> VALIDATION_FAILED on systemPrompt, on create and on change', async () => {
      const owner = newUser();
      expect(await failure(createAgent(owner, { systemPrompt: 'x'.repeat(2001) }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['systemPrompt'] });
      const agent = await createAgent(owner);
      expect(await failure(call(AgentContracts.update, { id: agent.id, systemPrompt: 'x'.repeat(2001) }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['systemPrompt'] });
    });

    it('a temperature out of range -> VALIDATION_FAILED on configuration.temperature', async () => {
      expect(await failure(createAgent(newUser(), { configuration: { temperature: 2.5 } }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['configuration.temperature'] });
    });

    it('a malformed tool reference -> VALIDATION_FAILED naming the tool field', async () => {
      expect(await failure(createAgent(newUser(), { tools: [{ kind: 'mcp', name: 'search' }] }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['tools.0.refId'] });
      expect(await failure(createAgent(newUser(), { tools: [{ kind: 'builtin', name: 'bad name!' }] }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['tools.0.name'] });
    });

    it('an unknown built-in tool -> VALIDATION_FAILED naming the entry; tools that are missing or not the owner\'s -> NOT_FOUND', async () => {
      const owner = newUser();
      expect(await failure(createAgent(owner, { tools: [{ kind: 'builtin', name: 'calculator' }, { kind: 'builtin', name: 'rm_rf' }] }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['tools[1]'] });
      expect(await failure(createAgent(owner, { tools: [{ kind: 'mcp', name: 'search', refId: randomUUID() }] }))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(createAgent(owner, { tools: [{ kind: 'registry', name: 'lookup', refId: randomUUID() }] }))).toEqual({ code: 'NOT_FOUND', fields: [] });
      expect(await failure(createAgent(owner, { tools: [{ kind: 'integration', name: 'crm', provider: 'nowhere' }] }))).toEqual({ code: 'VALIDATION_FAILED', fields: ['tools[0]'] });
      const agent = await createAgent(owner);
      expect(await failure(call(AgentContracts.update, { id: agent.id, tools: [{ kind: 'builtin', name: 'rm_rf' }] }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['tools[0]'] });
    });

    it('an unknown template -> VALIDATION_FAILED on template', async () => {
      expect(await failure(call(AgentContracts.create, { template: 'nope' }, newUser()))).toEqual({ code: 'VALIDATION_FAILED', fields: ['template'] });
    });

    it('an import that is not a definition -> VALIDATION_FAILED on definition', async () => {
      expect(await failure(call(WizardContracts.import, { definition: { hello: 'world' } }, newUser()))).toEqual({ code: 'VALIDATION_FAILED', fields: ['definition'] });
      expect(await failure(call(WizardContracts.import, { definition: { nama_model: 'gpt-4o', tools: '{not json' } }, newUser()))).toEqual({ code: 'VALIDATION_FAILED', fields: ['definition.tools'] });
    });

    it('a status change that makes no sense -> CONFLICT', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      expect((await failure(call(AgentContracts.update, { id: agent.id, status: 'error' }, owner))).code).toBe('CONFLICT');
    });

    it('null for a required field -> VALIDATION_FAILED on that field', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      expect(await failure(call(AgentContracts.update, { id: agent.id, name: null as never }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
    });

    it('a version that does not exist -> NOT_FOUND', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      expect((await failure(call(AgentContracts.getVersion, { id: agent.id, version: 9 }, owner))).code).toBe('NOT_FOUND');
      expect((await failure(call(ConfigCacheContracts.resolve, { agentId: agent.id, version: 9 }, serviceActor('execution')))).code).toBe('NOT_FOUND');
    });

    it('an agent deleted longer ago than AGENT_RETENTION_DAYS cannot be restored', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      await call(AgentContracts.delete, { id: agent.id }, owner);
      await query(databaseUrl, `UPDATE agent.agents SET deleted_at = now() - interval '31 days' WHERE id = $1`, [agent.id]);
      expect((await failure(call(AgentContracts.restore, { id: agent.id }, owner))).code).toBe('NOT_FOUND');
      expect((await call(AgentContracts.list, { deleted: 'true' }, owner)).items).toHaveLength(0);
    });

    it('restoring an agent that is not deleted -> CONFLICT', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      expect((await failure(call(AgentContracts.restore, { id: agent.id }, owner))).code).toBe('CONFLICT');
    });

    it('an inactive agent cannot be resolved for a run -> CONFLICT', async () => {
      const owner = newUser();
      const agent = await createAgent(owner, { isActive: false });
      expect((await failure(call(ConfigCacheContracts.resolve, { agentId: agent.id }, serviceActor('execution')))).code).toBe('CONFLICT');
    });

    it('a stored version cannot be changed, even by SQL', async () => {
      const owner = newUser();
      const agent = await createAgent(owner);
      await expect(query(databaseUrl, `UPDATE agent.agent_versions SET snapshot = '{}' WHERE agent_id = $1`, [agent.id])).rejects.toThrow(/immutable/);
    });

    it('a cursor that was not made by a list -> VALIDATION_FAILED on cursor', async () => {
      expect(await failure(call(AgentContracts.list, { cursor: 'garbage' }, newUser()))).toEqual({ code: 'VALIDATION_FAILED', fields: ['cursor'] });
    });

    it('a second prompt template with a taken name -> CONFLICT', async () => {
      const owner = newUser();
      await call(TemplateContracts.createPromptTemplate, { name: 'dup', content: 'a' }, owner);
      expect((await failure(call(TemplateContracts.createPromptTemplate, { name: 'dup', content: 'b' }, owner))).code).toBe('CONFLICT');
    });

    it("another user's prompt template is not found", async () => {
      const owner = newUser();
      const created = await call(TemplateContracts.createPromptTemplate, { name: 'mine', content: 'a' }, owner);
      const stranger = newUser();
      for (const attempt of [
        () => call(TemplateContracts.getPromptTemplate, { id: created.id }, stranger),
        () => call(TemplateContracts.updatePromptTemplate, { id: created.id, content: 'b' }, stranger),
        () => call(TemplateContracts.listPromptTemplateVersions, { id: created.id }, stranger),
        () => call(TemplateContracts.deletePromptTemplate, { id: created.id }, stranger),
      ]) {
        expect((await failure(attempt())).code).toBe('NOT_FOUND');
      }
      expect((await call(TemplateContracts.getPromptTemplate, { id: created.id }, owner)).content).toBe('a');
    });
  });
});
