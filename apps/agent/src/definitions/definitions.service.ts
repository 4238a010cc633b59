import { Injectable } from '@nestjs/common';
import { type Actor, AgentFields, type AgentCreatedReply, type AgentDefinition, AppError, ErrorCode, type ExportAgentRequest, type ImportAgentRequest, validatePayload } from '#contracts';
import { AgentsRepository } from '../agents/agents.repository.js';
import { AgentsErrors } from '../agents/agents.errors.js';
import { toAgentView } from '../agents/agent.mapper.js';
import { AgentsService, authUrlsFor } from '../agents/agents.service.js';
import { parseDefinition, toDefinition } from './agent-definition.js';

@Injectable()
export class DefinitionsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly repository: AgentsRepository,
  ) {}

  async export(actor: Actor, request: ExportAgentRequest): Promise<AgentDefinition> {
    const agent = await this.agents.requireOwned(actor, request.id);
    const version = request.version ?? agent.currentVersion;
    const row = await this.repository.findVersion(agent.id, version);
    if (!row) throw AgentsErrors.versionNotFound(version);
    return toDefinition(agent, version, row.snapshot);
  }

  /** Any user can import any definition: it becomes a new agent with new ids, owned by the caller. */
  async import(actor: Actor, request: ImportAgentRequest): Promise<AgentCreatedReply> {
    const parsed = parseDefinition(request.definition);
    const fields = await validatePayload(AgentFields, { ...parsed.fields, projectId: request.projectId }, 'definition').catch((err: unknown) => {
      throw prefixFields(err, 'definition.');
    });
    const agent = await this.agents.createAgent(actor, { fields, qa: parsed.qa, templateName: parsed.templateName });
    return { ...toAgentView(agent), authUrls: authUrlsFor(agent) };
  }
}

/** Names the bad fields by their path in the request body, as every other 400 does. */
function prefixFields(err: unknown, prefix: string): unknown {
  if (!(err instanceof AppError) || err.code !== ErrorCode.VALIDATION_FAILED) return err;
  const errors = (err.details?.errors ?? []) as Array<{ field: string; problems: string[] }>;
  return new AppError(ErrorCode.VALIDATION_FAILED, 'definition is invalid', { errors: errors.map((e) => ({ ...e, field: e.field === 'projectId' ? e.field : `${prefix}${e.field}` })) });
}
