import { Injectable } from '@nestjs/common';
import {
  type Actor,
  AgentFields,
  type AgentCreatedReply,
  type AgentDefinition,
  AppError,
  ErrorCode,
  type ExportAgentRequest,
  type FromQaRequest,
  type ImportAgentRequest,
  type PromptRefinement,
  type RegenerateReply,
  type RegeneratePromptRequest,
  validatePayload,
  type WizardReply,
} from '#contracts';
import { Database } from '#persistence';
import { AgentsService } from '../agents/agents.service.js';
import { parseDefinition, toDefinition } from './agent-definition.js';
import { draftSystemPrompt, nameFromWho } from './qa-prompt.js';
import { WizardErrors } from './wizard.errors.js';

/**
 * Refinement asks the user's default model to polish the draft. Models are reached through the
 * execution service, which does not exist yet: until it does, a request for refinement keeps the
 * draft and the reply says why, instead of pretending it happened.
 */
export function refinementOutcome(requested: boolean): PromptRefinement {
  if (!requested) return { requested: false, applied: false };
  return {
    requested: true,
    applied: false,
    reason: 'no model is configured for prompt refinement yet (the platform has no model provider connected); the drafted prompt was kept as it is',
  };
}

/** The ways to make an agent other than the form: three Q&A answers, or a definition exported here or by the seeds. */
@Injectable()
export class WizardService {
  constructor(
    private readonly agents: AgentsService,
    private readonly database: Database,
  ) {}

  async fromQa(actor: Actor, request: FromQaRequest): Promise<WizardReply> {
    const name = request.name ?? nameFromWho(request.who);
    const qa = { who: request.who, rules: request.rules, tricks: request.tricks ?? '' };
    const systemPrompt = draftSystemPrompt({ name, ...qa });
    this.agents.checkPrompt(systemPrompt);
    const agent = await this.agents.createAgent(actor, {
      fields: { name, projectId: request.projectId, modelProvider: request.modelProvider, modelName: request.modelName, systemPrompt },
      qa,
    });
    return { ...agent, refinement: refinementOutcome(request.refine === true) };
  }

  /**
   * Re-runs the template on the stored answers (or new ones given here), on the agent locked, so
   * the prompt is drafted from the name and answers it is saved with; a changed prompt is a new version.
   */
  async regenerate(actor: Actor, request: RegeneratePromptRequest): Promise<RegenerateReply> {
    const view = await this.database.transaction(async () => {
      const agent = await this.agents.lockForChange(actor, request.id);
      const who = request.who ?? agent.qaWho;
      const rules = request.rules ?? agent.qaRules;
      const tricks = request.tricks ?? agent.qaTricks ?? '';
      if (who === null || rules === null) throw WizardErrors.missingAnswers();
      const systemPrompt = draftSystemPrompt({ name: agent.name, who, rules, tricks });
      this.agents.checkPrompt(systemPrompt);
      return this.agents.applyChange(actor, agent, { qaWho: who, qaRules: rules, qaTricks: tricks, systemPrompt });
    });
    return { ...view, refinement: refinementOutcome(request.refine === true) };
  }

  async export(actor: Actor, request: ExportAgentRequest): Promise<AgentDefinition> {
    const agent = await this.agents.requireOwned(actor, request.id);
    const version = request.version ?? agent.currentVersion;
    return toDefinition(agent, version, await this.agents.versionSnapshot(agent.id, version));
  }

  /** Any user can import any definition: it becomes a new agent with new ids, owned by the caller. */
  async import(actor: Actor, request: ImportAgentRequest): Promise<AgentCreatedReply> {
    const parsed = parseDefinition(request.definition);
    const fields = await validatePayload(AgentFields, { ...parsed.fields, projectId: request.projectId }, 'definition').catch((err: unknown) => {
      throw prefixFields(err, 'definition.');
    });
    return this.agents.createAgent(actor, { fields, qa: parsed.qa, templateName: parsed.templateName });
  }
}

/** Names the bad fields by their path in the request body, as every other 400 does. */
function prefixFields(err: unknown, prefix: string): unknown {
  if (!(err instanceof AppError) || err.code !== ErrorCode.VALIDATION_FAILED) return err;
  const errors = (err.details?.errors ?? []) as Array<{ field: string; problems: string[] }>;
  return new AppError(ErrorCode.VALIDATION_FAILED, 'definition is invalid', { errors: errors.map((e) => ({ ...e, field: e.field === 'projectId' ? e.field : `${prefix}${e.field}` })) });
}
