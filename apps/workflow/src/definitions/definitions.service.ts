import { Inject, Injectable } from '@nestjs/common';
import {
  type Actor,
  AppError,
  BUILTIN_TOOL_NAMES,
  ConfigCacheContracts,
  ErrorCode,
  KnowledgeBaseRefContracts,
  requireUserId,
  ToolRefContracts,
  WORKFLOW_FORMAT_VERSION,
  WORKFLOW_LIMITS,
  type WorkflowDefinition,
  type WorkflowDiff,
} from '#contracts';
import type { WorkflowConfig } from '#config';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { plainJson } from '#persistence';
import { WORKFLOW_CONFIG } from '../workflow-config.module.js';
import { diffDefinitions } from './definition-diff.js';
import { definitionProblems, referencesOf } from './definition-rules.js';
import { DefinitionsErrors } from './definitions.errors.js';

/** A definition ready to save: plain JSON, format version set, every agent version pinned. */
export interface CheckedDefinition {
  definition: WorkflowDefinition;
  agentIds: string[];
}

/**
 * Validation of a definition, at save and at POST /workflows/validate: the structural rules
 * (definition-rules.ts), then what the caller refers to, asked of the services that own it. A
 * reference the caller does not own is NOT_FOUND, as any other user's resource; a service that
 * does not answer makes the check fail (UNAVAILABLE), never pass unchecked.
 */
@Injectable()
export class DefinitionsService {
  constructor(
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(WORKFLOW_CONFIG) private readonly config: WorkflowConfig,
  ) {}

  async check(actor: Actor, given: WorkflowDefinition): Promise<CheckedDefinition> {
    const ownerId = requireUserId(actor);
    const definition = plainJson({ ...given, formatVersion: WORKFLOW_FORMAT_VERSION });
    if (JSON.stringify(definition).length > WORKFLOW_LIMITS.definitionChars) throw DefinitionsErrors.tooLarge(WORKFLOW_LIMITS.definitionChars);
    const problems = definitionProblems(definition);
    if (problems.length > 0) throw DefinitionsErrors.invalid(problems);

    const refs = referencesOf(definition);
    await Promise.all([this.checkTools(actor, ownerId, refs.tools), this.checkKnowledgeBases(actor, ownerId, refs.knowledgeBases)]);
    const pinned = await this.pinAgents(actor, ownerId, refs.agents);
    for (const node of definition.nodes) {
      const version = pinned.get(node.id);
      if (version !== undefined) node.config = { ...node.config, version };
    }
    return { definition, agentIds: [...new Set(refs.agents.map((a) => a.agentId))] };
  }

  /** The structural difference between two versions' definitions (definition-diff.ts). */
  diff(from: number, a: WorkflowDefinition, to: number, b: WorkflowDefinition): WorkflowDiff {
    return diffDefinitions(from, a, to, b);
  }

  /** Each agent node's agent must be the caller's; a node without a version pins the current one. */
  private async pinAgents(actor: Actor, ownerId: string, agents: ReturnType<typeof referencesOf>['agents']): Promise<Map<string, number>> {
    const pinned = new Map<string, number>();
    for (const ref of agents) {
      const problem = { field: ref.field, nodeId: ref.nodeId, problems: [`agent ${ref.agentId}${ref.version ? ` version ${ref.version}` : ''} is not one of your agents`] };
      try {
        const resolved = await this.bus.request(ConfigCacheContracts.resolve, { agentId: ref.agentId, version: ref.version }, { actor, timeoutMs: this.config.referenceTimeoutMs });
        if (resolved.ownerId !== ownerId) throw DefinitionsErrors.notFound('agent', problem);
        pinned.set(ref.nodeId, resolved.version);
      } catch (err) {
        throw this.refused(err, 'agent', 'its agents', problem);
      }
    }
    return pinned;
  }

  /** Built-in tools are known here; every other reference is the integration service's to check. */
  private async checkTools(actor: Actor, ownerId: string, tools: ReturnType<typeof referencesOf>['tools']): Promise<void> {
    for (const tool of tools) {
      if (tool.ref.kind === 'builtin' && !(BUILTIN_TOOL_NAMES as readonly string[]).includes(tool.ref.name)) {
        throw AppError.invalidField(`${tool.field}.name`, `there is no built-in tool "${tool.ref.name}" (one of ${BUILTIN_TOOL_NAMES.join(', ')})`);
      }
    }
    const others = tools.filter((t) => t.ref.kind !== 'builtin');
    if (others.length === 0) return;
    const first = { field: others[0].field, nodeId: others[0].nodeId, problems: ['the tool reference could not be checked'] };
    let reply;
    try {
      reply = await this.bus.request(ToolRefContracts.check, { ownerId, refs: others.map((t) => t.ref) }, { actor, timeoutMs: this.config.referenceTimeoutMs });
    } catch (err) {
      throw this.refused(err, 'integration', 'its tools', first);
    }
    const problem = reply.problems[0];
    if (!problem) return;
    const tool = others[problem.index] ?? others[0];
    const named = { field: tool.field, nodeId: tool.nodeId, problems: [problem.message] };
    if (problem.code === 'UNKNOWN_TOOL') throw new AppError(ErrorCode.VALIDATION_FAILED, `${tool.field}: ${problem.message}`, { errors: [named] });
    throw DefinitionsErrors.notFound('tool', named);
  }

  private async checkKnowledgeBases(actor: Actor, ownerId: string, bases: ReturnType<typeof referencesOf>['knowledgeBases']): Promise<void> {
    if (bases.length === 0) return;
    const ids = [...new Set(bases.map((b) => b.id))];
    const first = { field: bases[0].field, nodeId: bases[0].nodeId, problems: ['the knowledge base could not be checked'] };
    let found: string[];
    try {
      found = (await this.bus.request(KnowledgeBaseRefContracts.findOwned, { ownerId, ids }, { actor, timeoutMs: this.config.referenceTimeoutMs })).found;
    } catch (err) {
      throw this.refused(err, 'knowledge', 'its knowledge bases', first);
    }
    const missing = bases.find((b) => !found.includes(b.id));
    if (missing) throw DefinitionsErrors.notFound('knowledge base', { field: missing.field, nodeId: missing.nodeId, problems: [`knowledge base ${missing.id} is not one of yours`] });
  }

  /** What a failed reference check means for the caller: not found stays not found, silence is UNAVAILABLE. */
  private refused(err: unknown, service: string, what: string, problem: { field: string; nodeId: string; problems: string[] }): AppError {
    if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return err.details?.errors ? err : DefinitionsErrors.notFound(service === 'agent' ? 'agent' : 'reference', problem);
    if (err instanceof AppError && err.code !== ErrorCode.UNAVAILABLE && err.code !== ErrorCode.UPSTREAM_TIMEOUT && err.code !== ErrorCode.INTERNAL) return err;
    return DefinitionsErrors.unavailable(service, what, problem);
  }
}
