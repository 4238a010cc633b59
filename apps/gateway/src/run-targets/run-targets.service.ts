import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AgentContracts, type AgentView, AppError, ErrorCode, type WorkflowField, WorkflowContracts, type WorkflowSummary } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { RunTargetErrors } from './run-targets.errors.js';

export type RunTargetKind = 'agent' | 'workflow';

/** One thing the caller can run by name: an agent, or a workflow with a published version. */
export interface RunTarget {
  kind: RunTargetKind;
  id: string;
  /** The name in lower case, runs of anything but letters and digits as one "-". */
  slug: string;
  name: string;
  description: string | null;
  /** Agents: the version a run pins by default; workflows: the published one. */
  defaultVersion: number;
  publishedVersion: number | null;
  createdAt: string;
}

/** A target with the version a run pins, from a `model` such as `support-bot@3`. */
export interface ResolvedRunTarget extends RunTarget {
  version: number;
  /** Whether the caller named the version (`@n`). */
  versionGiven: boolean;
}

const PAGE = 100;
/** The most of each kind a listing reads: beyond it, an account is asked to use ids. */
const MAX_LISTED = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MODEL = /^([^@\s]{1,200})(?:@(\d{1,9}))?$/;

/** The text a run answered: an agent's content, a workflow's single text output, or its outputs as JSON. */
export function answerText(output: unknown): string {
  if (output === null || output === undefined) return '';
  if (typeof output === 'string') return output;
  const record = output as Record<string, unknown>;
  if (typeof record.content === 'string') return record.content;
  const values = Object.values(record);
  if (values.length === 1 && typeof values[0] === 'string') return values[0];
  return JSON.stringify(output);
}

/** A name as the slug `model` may give instead of the id. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return slug.length > 0 ? slug : 'unnamed';
}

/**
 * The caller's agents and published workflows as the OpenAI-compatible face's models and the MCP
 * face's tools. Everything is asked of the agent and workflow services as the caller, so another
 * user's agent is their 404, never visible here.
 */
@Injectable()
export class RunTargetsService {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  /** The caller's active agents (only published ones with `publishedOnly`) and workflows with a published version. */
  async list(actor: Actor, options: { publishedAgentsOnly?: boolean } = {}): Promise<RunTarget[]> {
    const [agents, workflows] = await Promise.all([this.allAgents(actor), this.allWorkflows(actor)]);
    return [
      ...agents.filter((a) => a.isActive && (!options.publishedAgentsOnly || a.publishedVersion !== null)).map((a) => agentTarget(a, options.publishedAgentsOnly === true)),
      ...workflows.filter((w) => w.isActive && w.publishedVersion !== null).map(workflowTarget),
    ];
  }

  /**
   * `model` as the caller wrote it: an agent's or workflow's id or slug, with an optional
   * `@version`. An unknown (or another user's) one is MODEL_NOT_FOUND; a slug two of them share is
   * a 400 asking for the id.
   */
  async resolve(actor: Actor, model: string): Promise<ResolvedRunTarget> {
    const match = MODEL.exec(model);
    if (!match) throw RunTargetErrors.modelNotFound(model);
    const [, name, versionText] = match;
    const version = versionText !== undefined ? Number(versionText) : undefined;
    if (version !== undefined && version < 1) throw RunTargetErrors.modelNotFound(model);
    const target = UUID.test(name) ? await this.byId(actor, name.toLowerCase()) : await this.bySlug(actor, name);
    if (!target) throw RunTargetErrors.modelNotFound(model);
    if (version !== undefined && !(await this.hasVersion(actor, target, version))) throw RunTargetErrors.modelNotFound(model);
    return { ...target, version: version ?? target.defaultVersion, versionGiven: version !== undefined };
  }

  /** The declared inputs of one of the caller's workflow versions. */
  async workflowInputs(actor: Actor, workflowId: string, version: number): Promise<WorkflowField[]> {
    const found = await this.bus.request(WorkflowContracts.getVersion, { id: workflowId, version }, { actor });
    return found.definition.inputs;
  }

  private async hasVersion(actor: Actor, target: RunTarget, version: number): Promise<boolean> {
    const found =
      target.kind === 'agent'
        ? this.bus.request(AgentContracts.getVersion, { id: target.id, version }, { actor })
        : this.bus.request(WorkflowContracts.getVersion, { id: target.id, version }, { actor });
    return (await found.catch(orUndefinedIfMissing)) !== undefined;
  }

  private async byId(actor: Actor, id: string): Promise<RunTarget | undefined> {
    const agent = await this.bus.request(AgentContracts.get, { id }, { actor }).catch(orUndefinedIfMissing);
    if (agent) return agentTarget(agent, false);
    const workflow = await this.bus.request(WorkflowContracts.get, { id }, { actor }).catch(orUndefinedIfMissing);
    return workflow && workflow.publishedVersion !== null ? workflowTarget(workflow) : undefined;
  }

  private async bySlug(actor: Actor, slug: string): Promise<RunTarget | undefined> {
    const matching = (await this.list(actor)).filter((t) => t.slug === slug.toLowerCase());
    if (matching.length > 1) throw RunTargetErrors.ambiguous(slug, matching.length);
    return matching[0];
  }

  private allAgents(actor: Actor): Promise<AgentView[]> {
    return allPages((cursor) => this.bus.request(AgentContracts.list, { limit: PAGE, ...(cursor ? { cursor } : {}) }, { actor }));
  }

  private allWorkflows(actor: Actor): Promise<WorkflowSummary[]> {
    return allPages((cursor) => this.bus.request(WorkflowContracts.list, { limit: PAGE, ...(cursor ? { cursor } : {}) }, { actor }));
  }
}

/** Every item of a cursor-paginated list, up to MAX_LISTED. */
async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    items.push(...next.items);
    cursor = next.nextCursor ?? undefined;
  } while (cursor && items.length < MAX_LISTED);
  return items;
}

function agentTarget(agent: AgentView, published: boolean): RunTarget {
  return {
    kind: 'agent',
    id: agent.id,
    slug: slugOf(agent.name),
    name: agent.name,
    description: agent.description,
    defaultVersion: published && agent.publishedVersion !== null ? agent.publishedVersion : agent.currentVersion,
    publishedVersion: agent.publishedVersion,
    createdAt: agent.createdAt,
  };
}

function workflowTarget(workflow: Pick<WorkflowSummary, 'id' | 'name' | 'description' | 'publishedVersion' | 'createdAt'>): RunTarget {
  return {
    kind: 'workflow',
    id: workflow.id,
    slug: slugOf(workflow.name),
    name: workflow.name,
    description: workflow.description,
    defaultVersion: workflow.publishedVersion as number,
    publishedVersion: workflow.publishedVersion,
    createdAt: workflow.createdAt,
  };
}

function orUndefinedIfMissing(err: unknown): undefined {
  if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return undefined;
  throw err;
}
