import { randomUUID } from 'node:crypto';
import { type Actor, AppError, ConfigCacheContracts, ConversationContracts, type Envelope, type WorkflowDefinition, WorkflowResolveContracts } from '#contracts';
import { loadConfig } from '#config';
import { InProcessBus } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase } from '#testing';
import { executionApp } from '../../src/execution.app.js';

export interface AgentStandIn {
  ownerId: string;
  limits?: { maxSteps?: number; maxTokens?: number; timeoutSeconds?: number; costBudgetMicros?: number };
  tools?: Array<{ kind: string; name: string }>;
}

export interface WorkflowStandIn {
  ownerId: string;
  definition: WorkflowDefinition;
}

export interface ConversationStandIn {
  ownerId: string;
  agentId: string | null;
  workflowId: string | null;
}

/**
 * Stand-ins for the agent and conversation services on the real in-process bus, answering the
 * user-actor requests the run routes make: they own what a spec registered for a user and nothing
 * else, so another user's agent or conversation is not found, as with the real services.
 */
export class OwnedTargets {
  readonly agents = new Map<string, AgentStandIn>();
  readonly conversations = new Map<string, ConversationStandIn>();
  readonly workflows = new Map<string, WorkflowStandIn>();
  /** The version each agent resolve asked for (undefined: the current one). */
  readonly resolvedVersions: Array<number | undefined> = [];
  private stops: Array<() => void> = [];

  agentOf(actor: Actor, limits?: AgentStandIn['limits'], tools?: AgentStandIn['tools']): string {
    const id = randomUUID();
    this.agents.set(id, { ownerId: actor.userId!, limits, tools });
    return id;
  }

  workflowOf(actor: Actor, definition: WorkflowDefinition): string {
    const id = randomUUID();
    this.workflows.set(id, { ownerId: actor.userId!, definition });
    return id;
  }

  conversationOf(actor: Actor, target: { agentId?: string; workflowId?: string }): string {
    const id = randomUUID();
    this.conversations.set(id, { ownerId: actor.userId!, agentId: target.agentId ?? null, workflowId: target.workflowId ?? null });
    return id;
  }

  respond(): void {
    const bus = InProcessBus.shared();
    this.stops.push(
      bus.respond(ConfigCacheContracts.resolve.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ agentId: string; version?: number }>;
        this.resolvedVersions.push(data.version);
        const agent = this.agents.get(data.agentId);
        // A service (the execution service acting for an owner) resolves any agent, as with the real one.
        if (!agent || (actor.kind !== 'service' && agent.ownerId !== actor.userId)) return { ok: false, error: { code: 'NOT_FOUND', message: 'agent not found' } };
        return {
          ok: true,
          data: {
            agentId: data.agentId,
            ownerId: agent.ownerId,
            name: 'spec agent',
            version: data.version ?? 4,
            snapshot: {
              agentType: 'assistant',
              modelProvider: 'openai',
              modelName: 'gpt-4o-mini',
              systemPrompt: 'be brief',
              tools: agent.tools ?? [],
              knowledgeBaseIds: [],
              memory: { strategy: 'window', size: 20 },
              configuration: agent.limits ? { limits: agent.limits } : {},
            },
          },
        };
      }),
      bus.respond(WorkflowResolveContracts.resolve.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ workflowId: string; version?: number; ownerId?: string }>;
        const workflow = this.workflows.get(data.workflowId);
        const ownerId = actor.kind === 'user' ? actor.userId : data.ownerId;
        if (!workflow || workflow.ownerId !== ownerId) return { ok: false, error: { code: 'NOT_FOUND', message: 'workflow not found' } };
        return { ok: true, data: { workflowId: data.workflowId, ownerId: workflow.ownerId, name: 'spec workflow', version: data.version ?? 3, definition: workflow.definition } };
      }),
      bus.respond(ConversationContracts.get.subject, async (raw) => {
        const { data, actor } = raw as Envelope<{ id: string }>;
        const c = this.conversations.get(data.id);
        if (!c || c.ownerId !== actor.userId) return { ok: false, error: { code: 'NOT_FOUND', message: 'conversation not found' } };
        return { ok: true, data: { id: data.id, agentId: c.agentId, workflowId: c.workflowId } };
      }),
    );
  }

  stop(): void {
    for (const stop of this.stops) stop();
    this.stops = [];
  }
}

export interface ExecutionUnderTest {
  runtime: Runtime;
  service: RunningService;
  databaseUrl: string;
  close(): Promise<void>;
}

/** The execution service on a database of its own and the in-process bus, with `env` set for it (and removed on close). */
export async function startExecution(name: string, env: Record<string, string>): Promise<ExecutionUnderTest> {
  Object.assign(process.env, env);
  const databaseUrl = await createTestDatabase(name.replace(/[^a-z]/g, ''));
  const runtime = await Runtime.create({ ...loadConfig({}), databaseUrl, outboxRelay: false }, `${name}-spec`);
  const service = await startBusService(executionApp, runtime);
  return {
    runtime,
    service,
    databaseUrl,
    async close() {
      for (const key of Object.keys(env)) delete process.env[key];
      await service.close();
      await runtime.close();
    },
  };
}

/** What a call came to: 'ok', or the AppError's code and details. */
export function outcomeOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  return promise.then(
    () => ({ code: 'ok', details: {} }),
    (err: unknown) => (err instanceof AppError ? { code: err.code as string, details: (err.details ?? {}) as Record<string, unknown> } : { code: `not an AppError: ${String(err)}`, details: {} }),
  );
}

/** The fields a VALIDATION_FAILED error names. */
export function fieldsOf(details: Record<string, unknown>): string[] {
  return ((details.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
}
