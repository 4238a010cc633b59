import { Injectable } from '@nestjs/common';
import type { Actor, FromQaRequest, PromptRefinement, RegenerateReply, RegeneratePromptRequest, WizardReply } from '#contracts';
import { toAgentView } from '../agents/agent.mapper.js';
import { invalidField } from '../agents/agents.errors.js';
import { AgentsService, authUrlsFor } from '../agents/agents.service.js';
import { draftSystemPrompt, nameFromWho } from './qa-prompt.js';

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

@Injectable()
export class WizardService {
  constructor(private readonly agents: AgentsService) {}

  async fromQa(actor: Actor, request: FromQaRequest): Promise<WizardReply> {
    const name = request.name ?? nameFromWho(request.who);
    const qa = { who: request.who, rules: request.rules, tricks: request.tricks ?? '' };
    const systemPrompt = draftSystemPrompt({ name, ...qa });
    this.agents.checkPrompt(systemPrompt);
    const agent = await this.agents.createAgent(actor, {
      fields: { name, projectId: request.projectId, modelProvider: request.modelProvider, modelName: request.modelName, systemPrompt },
      qa,
    });
    return { ...toAgentView(agent), authUrls: authUrlsFor(agent), refinement: refinementOutcome(request.refine === true) };
  }

  /** Re-runs the template on the stored answers (or new ones given here); a changed prompt is a new version. */
  async regenerate(actor: Actor, request: RegeneratePromptRequest): Promise<RegenerateReply> {
    const view = await this.agents.change(actor, request.id, (agent) => {
      const qa = { who: request.who ?? agent.qaWho, rules: request.rules ?? agent.qaRules, tricks: request.tricks ?? agent.qaTricks ?? '' };
      if (qa.who === null || qa.rules === null) throw missingAnswers();
      const systemPrompt = draftSystemPrompt({ name: agent.name, who: qa.who, rules: qa.rules, tricks: qa.tricks });
      this.agents.checkPrompt(systemPrompt);
      const changed: string[] = [];
      if (agent.qaWho !== qa.who) changed.push('qaWho');
      if (agent.qaRules !== qa.rules) changed.push('qaRules');
      if (agent.qaTricks !== qa.tricks) changed.push('qaTricks');
      if (agent.systemPrompt !== systemPrompt) changed.push('systemPrompt');
      Object.assign(agent, { qaWho: qa.who, qaRules: qa.rules, qaTricks: qa.tricks, systemPrompt });
      return changed;
    });
    return { ...view, refinement: refinementOutcome(request.refine === true) };
  }
}

function missingAnswers() {
  return invalidField('who', 'this agent has no wizard answers yet: send who and rules to generate its prompt');
}
