import { AGENT_DEFINITION_KIND, type AgentDefinition, type AgentSnapshot, type ModelProvider, type ToolReference } from '#contracts';
import type { AgentEntity } from '../agents/agents.service.js';
import { draftSystemPrompt, nameFromWho } from './qa-prompt.js';
import { WizardErrors } from './wizard.errors.js';

/** What an import hands to agent creation, before the usual field validation. */
export interface ParsedDefinition {
  /** Plain agent fields, validated afterwards with the AgentFields contract class. */
  fields: Record<string, unknown>;
  qa: { who: string; rules: string; tricks: string } | null;
  templateName: string | null;
  source: 'definition' | 'legacy-agent' | 'legacy-qa-agent';
}

/**
 * The portable form of one version of an agent. Ids, owner, project and knowledge bases are left
 * out: they mean nothing to another user, and an import always makes new ids.
 */
export function toDefinition(agent: AgentEntity, version: number, snapshot: AgentSnapshot, now = new Date()): AgentDefinition {
  return {
    kind: AGENT_DEFINITION_KIND,
    formatVersion: 1,
    sourceVersion: version,
    exportedAt: now.toISOString(),
    agent: {
      name: agent.name,
      description: agent.description,
      icon: agent.icon,
      color: agent.color,
      avatarUrl: agent.avatarUrl,
      qaWho: agent.qaWho,
      qaRules: agent.qaRules,
      qaTricks: agent.qaTricks,
      templateName: agent.templateName,
      run: { ...snapshot, knowledgeBaseIds: [] },
    },
  };
}

export function parseDefinition(raw: Record<string, unknown>): ParsedDefinition {
  if (raw.kind === AGENT_DEFINITION_KIND) return parseExported(raw);
  if ('nama_model' in raw || 'system_message' in raw) return parseLegacyAgent(raw);
  if ('qa_who' in raw || 'qa_rules' in raw) return parseLegacyQaAgent(raw);
  throw WizardErrors.notADefinition(
    `definition must be an exported agent definition (kind "${AGENT_DEFINITION_KIND}"), a seed-000 agent row (nama_model, system_message, tools) or a seed-001 Q&A agent (qa_who, qa_rules, qa_tricks)`,
  );
}

function parseExported(raw: Record<string, unknown>): ParsedDefinition {
  if (raw.formatVersion !== 1) throw WizardErrors.notADefinition('definition.formatVersion must be 1');
  const agent = raw.agent;
  if (!isObject(agent)) throw WizardErrors.notADefinition('definition.agent must be an object');
  const run = agent.run;
  if (!isObject(run)) throw WizardErrors.notADefinition('definition.agent.run must be an object');
  const { qaWho, qaRules, qaTricks, templateName, run: _run, ...cosmetic } = agent;
  const qa = typeof qaWho === 'string' && typeof qaRules === 'string' ? { who: qaWho, rules: qaRules, tricks: typeof qaTricks === 'string' ? qaTricks : '' } : null;
  return {
    fields: { ...cosmetic, ...run },
    qa,
    templateName: typeof templateName === 'string' ? templateName.slice(0, 100) : null,
    source: 'definition',
  };
}

/** Seed 000's agent row: nama_model, system_message, tools as a JSON string, agent_type. */
function parseLegacyAgent(raw: Record<string, unknown>): ParsedDefinition {
  const model = raw.nama_model;
  if (typeof model !== 'string' || model.trim() === '') throw WizardErrors.notADefinition('definition.nama_model must be a model name');
  const prompt = raw.system_message ?? '';
  if (typeof prompt !== 'string') throw WizardErrors.notADefinition('definition.system_message must be text');
  const fields: Record<string, unknown> = {
    name: typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name : `Imported agent (${model.trim()})`,
    modelProvider: providerForModel(model),
    modelName: model.trim(),
    systemPrompt: prompt,
    tools: legacyTools(raw.tools),
    agentType: raw.agent_type === 'automation' ? 'automation' : 'assistive',
  };
  return { fields, qa: null, templateName: null, source: 'legacy-agent' };
}

/** Seed 001's agents / agent_components row: the wizard's answers and the prompt made from them. */
function parseLegacyQaAgent(raw: Record<string, unknown>): ParsedDefinition {
  const who = raw.qa_who;
  const rules = raw.qa_rules;
  const tricks = raw.qa_tricks ?? '';
  if (typeof who !== 'string' || who.trim() === '') throw WizardErrors.notADefinition('definition.qa_who must be text');
  if (typeof rules !== 'string' || rules.trim() === '') throw WizardErrors.notADefinition('definition.qa_rules must be text');
  if (typeof tricks !== 'string') throw WizardErrors.notADefinition('definition.qa_tricks must be text');
  const name = typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name : nameFromWho(who);
  const prompt = typeof raw.system_prompt === 'string' && raw.system_prompt.trim() !== '' ? raw.system_prompt : draftSystemPrompt({ name, who, rules, tricks });
  const fields: Record<string, unknown> = { name, systemPrompt: prompt };
  if (typeof raw.description === 'string') fields.description = raw.description;
  if (typeof raw.avatar_url === 'string' && raw.avatar_url !== '') fields.avatarUrl = raw.avatar_url;
  if (typeof raw.icon === 'string') fields.icon = raw.icon;
  if (typeof raw.color === 'string') fields.color = raw.color;
  if (typeof raw.is_active === 'boolean') fields.isActive = raw.is_active;
  return {
    fields,
    qa: { who, rules, tricks },
    templateName: typeof raw.template_name === 'string' ? raw.template_name.slice(0, 100) : null,
    source: 'legacy-qa-agent',
  };
}

/** Seed 000 stored tools as a JSON string: a list of names or of objects with a name. */
function legacyTools(value: unknown): ToolReference[] {
  if (value === undefined || value === null || value === '') return [];
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw WizardErrors.notADefinition('definition.tools must be a JSON string holding a list of tools');
    }
  }
  if (!Array.isArray(parsed)) throw WizardErrors.notADefinition('definition.tools must hold a list of tools');
  return parsed.map((item, i) => {
    const name = typeof item === 'string' ? item : isObject(item) && typeof item.name === 'string' ? item.name : undefined;
    if (name === undefined) throw WizardErrors.notADefinition(`definition.tools[${i}] must be a tool name or an object with a name`);
    return toolFromLegacyName(name);
  });
}

/** Seed 000's Google tools share one consent: they become integration references to google. */
const GOOGLE_TOOLS = /^(gmail|google[_-]?(mail|calendar|docs|drive)|calendar|docs)([_.-].*)?$/i;

function toolFromLegacyName(name: string): ToolReference {
  const clean = name.trim();
  return GOOGLE_TOOLS.test(clean) ? { kind: 'integration', name: clean, provider: 'google' } : { kind: 'builtin', name: clean };
}

/** Seed 000 named only the model; its provider follows from the family name. */
export function providerForModel(model: string): ModelProvider {
  const m = model.trim().toLowerCase();
  if (m.startsWith('claude')) return 'anthropic';
  if (m.startsWith('gemini')) return 'google';
  if (m.startsWith('mistral') || m.startsWith('mixtral') || m.startsWith('codestral')) return 'mistral';
  return 'openai';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
