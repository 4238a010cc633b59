import { randomUUID } from 'node:crypto';
import {
  AccountContracts,
  type Actor,
  AppError,
  ConfigCacheContracts,
  type Envelope,
  KnowledgeBaseRefContracts,
  PublicLinkContracts,
  ProjectDeleted,
  type RpcContract,
  serviceActor,
  ToolRefContracts,
  UserDeleted,
  WorkflowContracts,
  type WorkflowDefinition,
  WorkflowResolveContracts,
} from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, query } from '#testing';
import { workflowApp } from '../src/workflow.app.js';

/**
 * The workflow service against the real PostgreSQL, called through the in-process bus as the
 * gateway calls it. The services whose things a definition names (agents, tools, knowledge bases,
 * projects) are stand-ins answering on the same bus, so each refusal can be staged.
 */
describe('workflow service: definitions, validation, versions', () => {
  let runtime: Runtime;
  let service: RunningService;
  let databaseUrl: string;
  const bus = () => InProcessBus.shared();

  const call = <Req, Res>(contract: RpcContract<Req, Res>, data: Req, actor: Actor): Promise<Res> => runtime.client.request(contract, data, { actor, timeoutMs: 20_000 });
  const newUser = (): Actor => ({ kind: 'user', userId: randomUUID(), scopes: ['full'] });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => ({ code: 'ok', fields: [] as string[] }),
      (err: unknown) =>
        err instanceof AppError
          ? { code: err.code as string, fields: ((err.details?.errors ?? []) as Array<{ field: string }>).map((e) => e.field) }
          : { code: `not-an-app-error: ${String(err)}`, fields: [] as string[] },
    );
  const deliver = (subject: string, data: unknown) => bus().publish({ id: randomUUID(), subject, occurredAt: new Date().toISOString(), data });

  /** Agents by id -> owner and current version; tools and knowledge bases by id -> owner. */
  const agents = new Map<string, { ownerId: string; version: number }>();
  const knowledgeBases = new Map<string, string>();
  const registryTools = new Map<string, string>();
  const stops: Array<() => void> = [];
  const ok = (data: unknown) => ({ ok: true as const, data });
  const notFound = (what: string) => ({ ok: false as const, error: { code: 'NOT_FOUND' as const, message: `${what} not found` } });

  function standIns(): void {
    stops.push(
      bus().respond(AccountContracts.getProject.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ id: string }>;
        if (!data.id.startsWith(actor.userId?.slice(0, 8) ?? '-')) return notFound('project');
        const now = new Date().toISOString();
        return ok({ id: data.id, name: 'P', description: null, icon: 'folder', color: '#f97316', isDefault: false, isArchived: false, sortOrder: 0, createdAt: now, updatedAt: now });
      }),
      bus().respond(ConfigCacheContracts.resolve.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ agentId: string; version?: number }>;
        const agent = agents.get(data.agentId);
        if (!agent || agent.ownerId !== actor.userId || (data.version ?? 1) > agent.version) return notFound('agent');
        return ok({ agentId: data.agentId, ownerId: agent.ownerId, name: 'A', version: data.version ?? agent.version, snapshot: {} });
      }),
    );
  }
  const toolStandIn = () =>
    bus().respond(ToolRefContracts.check.subject, async (raw) => {
      const { data } = raw as Envelope<{ ownerId: string; refs: Array<{ refId?: string; name: string }> }>;
      const problems = data.refs.flatMap((ref, index) =>
        ref.name === 'no_such_tool'
          ? [{ index, code: 'UNKNOWN_TOOL', message: `no tool named ${ref.name}` }]
          : registryTools.get(ref.refId ?? '') === data.ownerId
            ? []
            : [{ index, code: 'NOT_FOUND', message: 'tool not found' }],
      );
      return ok({ problems });
    });
  const knowledgeStandIn = () =>
    bus().respond(KnowledgeBaseRefContracts.findOwned.subject, async (raw) => {
      const { data } = raw as Envelope<{ ownerId: string; ids: string[] }>;
      return ok({ found: data.ids.filter((id) => knowledgeBases.get(id) === data.ownerId) });
    });

  const ownAgent = (owner: Actor, version = 1) => {
    const id = randomUUID();
    agents.set(id, { ownerId: owner.userId as string, version });
    return id;
  };

  function definition(extra: Partial<WorkflowDefinition> = {}): WorkflowDefinition {
    return {
      inputs: [{ name: 'topic', type: 'string', required: true }],
      outputs: [{ name: 'summary', type: 'string' }],
      state: [{ name: 'draft', type: 'string' }],
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'write', type: 'llm', config: { provider: 'openai', model: 'gpt-4o-mini', promptTemplate: 'About {{ inputs.topic }}', output: 'draft' } },
        { id: 'done', type: 'output', config: { values: { summary: 'state.draft' } } },
      ],
      edges: [
        { from: 'start', to: 'write' },
        { from: 'write', to: 'done' },
      ],
      ...extra,
    };
  }

  /** The sample with one node of this kind between write and done. */
  function withNode(node: WorkflowDefinition['nodes'][number]): WorkflowDefinition {
    const d = definition();
    d.nodes.splice(2, 0, node);
    d.edges = [
      { from: 'start', to: 'write' },
      { from: 'write', to: node.id },
      { from: node.id, to: 'done' },
    ];
    return d;
  }

  const create = (actor: Actor, def = definition(), name = 'Flow') => call(WorkflowContracts.create, { name, definition: def }, actor);

  beforeAll(async () => {
    standIns();
    databaseUrl = await createTestDatabase('workflow');
    const config = { ...loadConfig({}), databaseUrl, outboxRelay: false };
    runtime = await Runtime.create(config, 'workflow-spec');
    service = await startBusService(workflowApp, runtime);
  });

  afterAll(async () => {
    for (const stop of stops) stop();
    await service?.close();
    await runtime?.close();
  });

  describe('successful', () => {
    it('creates a workflow at version 1 with its definition checked and stored as sent', async () => {
      const owner = newUser();
      const created = await create(owner);
      expect(created).toMatchObject({ name: 'Flow', currentVersion: 1, publishedVersion: null, isActive: true, projectId: null, agentIds: [] });
      expect(created.definition).toEqual({ ...definition(), formatVersion: 1 });
      expect((await call(WorkflowContracts.get, { id: created.id }, owner)).definition.nodes.map((n) => n.id)).toEqual(['start', 'write', 'done']);
    });

    it('pins the current version of each agent node and lists the agents', async () => {
      const owner = newUser();
      const agentId = ownAgent(owner, 4);
      const created = await create(owner, withNode({ id: 'ask', type: 'agent', config: { agentId, inputTemplate: '{{ state.draft }}', output: 'draft' } }));
      expect(created.agentIds).toEqual([agentId]);
      expect(created.definition.nodes[2].config).toEqual({ agentId, inputTemplate: '{{ state.draft }}', output: 'draft', version: 4 });
    });

    it('keeps versions gapless and each one a whole definition under concurrent changes', async () => {
      const owner = newUser();
      const wf = await create(owner);
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => {
          const d = definition();
          d.nodes[1].config = { ...d.nodes[1].config, promptTemplate: `Variant ${i}: {{ inputs.topic }}` };
          return call(WorkflowContracts.update, { id: wf.id, definition: d }, owner);
        }),
      );
      expect(new Set(replies.map((r) => r.currentVersion))).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9]));
      expect((await call(WorkflowContracts.listVersions, { id: wf.id }, owner)).items.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('writes no version for an unchanged definition or a renaming', async () => {
      const owner = newUser();
      const wf = await create(owner);
      const same = await call(WorkflowContracts.update, { id: wf.id, definition: definition(), name: 'Renamed', description: 'Now described' }, owner);
      expect(same).toMatchObject({ currentVersion: 1, name: 'Renamed', description: 'Now described' });
    });

    it('restores an old version as a new one and diffs two versions by structure', async () => {
      const owner = newUser();
      const wf = await create(owner);
      const changed = definition();
      changed.nodes.splice(2, 0, { id: 'tidy', type: 'transform', config: { set: { draft: 'trim(state.draft)' } } });
      changed.edges = [
        { from: 'start', to: 'write' },
        { from: 'write', to: 'tidy' },
        { from: 'tidy', to: 'done' },
      ];
      expect((await call(WorkflowContracts.update, { id: wf.id, definition: changed }, owner)).currentVersion).toBe(2);
      const restored = await call(WorkflowContracts.restoreVersion, { id: wf.id, version: 1 }, owner);
      expect(restored.currentVersion).toBe(3);
      expect(restored.definition.nodes.map((n) => n.id)).toEqual(['start', 'write', 'done']);
      const diff = await call(WorkflowContracts.diff, { id: wf.id, from: 1, to: 2 }, owner);
      expect(diff.nodes).toEqual({ added: ['tidy'], removed: [], changed: [] });
      expect(diff.edges.added).toEqual([
        { from: 'write', to: 'tidy' },
        { from: 'tidy', to: 'done' },
      ]);
      expect(diff.edges.removed).toEqual([{ from: 'write', to: 'done' }]);
      expect((await call(WorkflowContracts.diff, { id: wf.id, from: 1, to: 3 }, owner)).nodes).toEqual({ added: [], removed: [], changed: [] });
    });

    it('publishes a version and resolves the published one, the current one or a pinned one', async () => {
      const owner = newUser();
      const wf = await create(owner);
      const d = definition();
      d.nodes[1].config = { ...d.nodes[1].config, model: 'gpt-4o' };
      await call(WorkflowContracts.update, { id: wf.id, definition: d }, owner);
      expect((await call(PublicLinkContracts.publish, { id: wf.id, version: 1 }, owner)).publishedVersion).toBe(1);
      const execution = serviceActor('execution');
      expect((await call(WorkflowResolveContracts.resolve, { workflowId: wf.id, published: true, ownerId: owner.userId }, execution)).version).toBe(1);
      const current = await call(WorkflowResolveContracts.resolve, { workflowId: wf.id }, owner);
      expect(current).toMatchObject({ workflowId: wf.id, ownerId: owner.userId, name: 'Flow', version: 2 });
      expect(current.definition.nodes[1].config?.model).toBe('gpt-4o');
      expect((await call(WorkflowResolveContracts.resolve, { workflowId: wf.id, version: 1 }, execution)).version).toBe(1);
    });

    it('accepts tools and knowledge bases the owner has, checked by the services that own them', async () => {
      const owner = newUser();
      const toolId = randomUUID();
      const kbId = randomUUID();
      registryTools.set(toolId, owner.userId as string);
      knowledgeBases.set(kbId, owner.userId as string);
      const stopTools = toolStandIn();
      const stopKnowledge = knowledgeStandIn();
      try {
        const d = withNode({ id: 'fetch', type: 'tool', config: { tool: { kind: 'registry', name: 'crm_lookup', refId: toolId }, arguments: { q: '{{ inputs.topic }}' } } });
        d.nodes.splice(3, 0, { id: 'look', type: 'knowledge', config: { knowledgeBaseIds: [kbId], queryTemplate: '{{ inputs.topic }}', output: 'draft' } });
        d.edges = [
          { from: 'start', to: 'write' },
          { from: 'write', to: 'fetch' },
          { from: 'fetch', to: 'look' },
          { from: 'look', to: 'done' },
        ];
        expect((await call(WorkflowContracts.validate, { definition: d }, owner)).valid).toBe(true);
      } finally {
        stopTools();
        stopKnowledge();
      }
    });

    it('exports a version and imports it as a new workflow of the importer', async () => {
      const owner = newUser();
      const wf = await create(owner, definition(), 'Exported');
      const exported = await call(WorkflowContracts.export, { id: wf.id }, owner);
      expect(exported).toMatchObject({ kind: 'agent-platform/workflow-definition', formatVersion: 1, sourceVersion: 1, workflow: { name: 'Exported' } });
      const other = newUser();
      const imported = await call(WorkflowContracts.import, { definition: exported as unknown as Record<string, unknown> }, other);
      expect(imported).toMatchObject({ name: 'Exported', currentVersion: 1 });
      expect(imported.definition).toEqual(wf.definition);
    });

    it('files workflows under a project, and a deleted project leaves them under none', async () => {
      const owner = newUser();
      const projectId = `${owner.userId?.slice(0, 8)}-0000-7000-8000-000000000001`;
      const wf = await call(WorkflowContracts.create, { name: 'In a project', definition: definition(), projectId }, owner);
      expect(wf.projectId).toBe(projectId);
      expect((await call(WorkflowContracts.list, { projectId }, owner)).items.map((w) => w.id)).toEqual([wf.id]);
      await deliver(ProjectDeleted.subject, { projectId, ownerId: owner.userId });
      expect((await call(WorkflowContracts.get, { id: wf.id }, owner)).projectId).toBeNull();
    });

    it('deletes every workflow of a deleted user with its versions', async () => {
      const owner = newUser();
      const wf = await create(owner);
      await deliver(UserDeleted.subject, { userId: owner.userId });
      expect(await failure(call(WorkflowContracts.get, { id: wf.id }, owner))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await query(databaseUrl, `SELECT 1 FROM workflow.workflow_versions WHERE workflow_id = $1`, [wf.id])).toEqual([]);
    });
  });

  describe('failing', () => {
    it('answers NOT_FOUND for another user on every operation, and the resolve of a service naming another owner', async () => {
      const owner = newUser();
      const stranger = newUser();
      const wf = await create(owner);
      for (const attempt of [
        call(WorkflowContracts.get, { id: wf.id }, stranger),
        call(WorkflowContracts.update, { id: wf.id, name: 'Mine now' }, stranger),
        call(WorkflowContracts.delete, { id: wf.id }, stranger),
        call(WorkflowContracts.listVersions, { id: wf.id }, stranger),
        call(WorkflowContracts.getVersion, { id: wf.id, version: 1 }, stranger),
        call(WorkflowContracts.restoreVersion, { id: wf.id, version: 1 }, stranger),
        call(WorkflowContracts.diff, { id: wf.id, from: 1, to: 1 }, stranger),
        call(PublicLinkContracts.publish, { id: wf.id }, stranger),
        call(WorkflowContracts.export, { id: wf.id }, stranger),
        call(WorkflowResolveContracts.resolve, { workflowId: wf.id }, stranger),
        call(WorkflowResolveContracts.resolve, { workflowId: wf.id, ownerId: stranger.userId }, serviceActor('execution')),
      ]) {
        expect(await failure(attempt)).toEqual({ code: 'NOT_FOUND', fields: [] });
      }
      expect((await call(WorkflowContracts.list, {}, stranger)).items).toEqual([]);
    });

    it('refuses a definition that names another user’s agent, tool or knowledge base with NOT_FOUND naming the field', async () => {
      const owner = newUser();
      const stranger = newUser();
      const theirs = ownAgent(stranger);
      expect(await failure(create(owner, withNode({ id: 'ask', type: 'agent', config: { agentId: theirs, inputTemplate: 'x' } })))).toEqual({
        code: 'NOT_FOUND',
        fields: ['nodes[ask].config.agentId'],
      });
      const stopTools = toolStandIn();
      const stopKnowledge = knowledgeStandIn();
      try {
        const toolId = randomUUID();
        registryTools.set(toolId, stranger.userId as string);
        expect(await failure(create(owner, withNode({ id: 'fetch', type: 'tool', config: { tool: { kind: 'mcp', name: 'search', refId: toolId }, arguments: {} } })))).toEqual({
          code: 'NOT_FOUND',
          fields: ['nodes[fetch].config.tool'],
        });
        expect(await failure(create(owner, withNode({ id: 'fetch', type: 'tool', config: { tool: { kind: 'mcp', name: 'no_such_tool', refId: toolId }, arguments: {} } })))).toEqual({
          code: 'VALIDATION_FAILED',
          fields: ['nodes[fetch].config.tool'],
        });
        const kbId = randomUUID();
        knowledgeBases.set(kbId, stranger.userId as string);
        expect(await failure(create(owner, withNode({ id: 'look', type: 'knowledge', config: { knowledgeBaseIds: [kbId], queryTemplate: 'q' } })))).toEqual({
          code: 'NOT_FOUND',
          fields: ['nodes[look].config.knowledgeBaseIds[0]'],
        });
      } finally {
        stopTools();
        stopKnowledge();
      }
    });

    it('refuses an unknown built-in tool locally, and fails closed when the tool or knowledge service does not answer', async () => {
      const owner = newUser();
      expect(await failure(call(WorkflowContracts.validate, { definition: withNode({ id: 'clock', type: 'tool', config: { tool: { kind: 'builtin', name: 'teleport' }, arguments: {} } }) }, owner))).toEqual({
        code: 'VALIDATION_FAILED',
        fields: ['nodes[clock].config.tool.name'],
      });
      expect((await call(WorkflowContracts.validate, { definition: withNode({ id: 'clock', type: 'tool', config: { tool: { kind: 'builtin', name: 'current_time' }, arguments: {} } }) }, owner)).valid).toBe(true);
      expect(await failure(call(WorkflowContracts.validate, { definition: withNode({ id: 'fetch', type: 'tool', config: { tool: { kind: 'mcp', name: 'x', refId: randomUUID() }, arguments: {} } }) }, owner))).toEqual({
        code: 'UNAVAILABLE',
        fields: ['nodes[fetch].config.tool'],
      });
      expect(await failure(call(WorkflowContracts.validate, { definition: withNode({ id: 'look', type: 'knowledge', config: { knowledgeBaseIds: [randomUUID()], queryTemplate: 'q' } }) }, owner))).toEqual({
        code: 'UNAVAILABLE',
        fields: ['nodes[look].config.knowledgeBaseIds[0]'],
      });
    });

    it('refuses structural problems with VALIDATION_FAILED naming every node and field, and saves nothing', async () => {
      const owner = newUser();
      const d = definition();
      d.nodes.push({ id: 'odd', type: 'warp' as never });
      d.edges.push({ from: 'write', to: 'ghost' });
      expect(await failure(create(owner, d))).toEqual({ code: 'VALIDATION_FAILED', fields: ['nodes[odd].type', 'edges[2].to'] });
      expect((await call(WorkflowContracts.list, {}, owner)).items).toEqual([]);
    });

    it('refuses a definition nested too deep, a missing name, a project of someone else, and a missing version', async () => {
      const owner = newUser();
      let deep: Record<string, unknown> = { type: 'object' };
      for (let i = 0; i < 40; i++) deep = { nested: deep };
      expect(await failure(call(WorkflowContracts.validate, { definition: withNode({ id: 'ask', type: 'human', config: { promptTemplate: 'x', schema: deep } }) }, owner))).toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      expect(await failure(call(WorkflowContracts.create, { definition: definition() }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['name'] });
      expect(await failure(call(WorkflowContracts.create, { name: 'x', definition: definition(), projectId: randomUUID() }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['projectId'] });
      const wf = await create(owner);
      expect(await failure(call(WorkflowContracts.getVersion, { id: wf.id, version: 7 }, owner))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(call(PublicLinkContracts.publish, { id: wf.id, version: 2 }, owner))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(call(WorkflowResolveContracts.resolve, { workflowId: wf.id, published: true }, owner))).toMatchObject({ code: 'NOT_FOUND' });
      await call(WorkflowContracts.update, { id: wf.id, isActive: false }, owner);
      expect(await failure(call(WorkflowResolveContracts.resolve, { workflowId: wf.id }, owner))).toMatchObject({ code: 'CONFLICT' });
    });

    it('refuses an import that is not our export format', async () => {
      const owner = newUser();
      expect(await failure(call(WorkflowContracts.import, { definition: { kind: 'langflow', data: {} } }, owner))).toEqual({ code: 'VALIDATION_FAILED', fields: ['definition'] });
      expect(
        await failure(call(WorkflowContracts.import, { definition: { kind: 'agent-platform/workflow-definition', formatVersion: 1, workflow: { name: 'x', definition: { nodes: 'no' } } } }, owner)),
      ).toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });
});
