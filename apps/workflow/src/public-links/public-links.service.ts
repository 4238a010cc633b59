import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { WorkflowConfig } from '#config';
import {
  type Actor,
  AppError,
  ErrorCode,
  type PublicLinkCreated,
  type PublicLinkIdRequest,
  type PublicLinkList,
  type PublicRunRequest,
  type PublicRunView,
  type PublicWorkflowForm,
  type PublishedWorkflowView,
  type PublishWorkflowRequest,
  requireUserId,
  type ResolvedWorkflow,
  RunContracts,
  type RunView,
  serviceActor,
  type StartPublicRunRequest,
} from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { ActingUser, Database, newId } from '#persistence';
import { WORKFLOW_CONFIG } from '../workflow-config.module.js';
import { WorkflowsService } from '../workflows/workflows.service.js';
import { PublicLinkRunEntity } from './public-link-run.entity.js';
import { PublicLinkThrottle } from './public-link-throttle.js';
import { PublicLinkEntity } from './public-link.entity.js';
import { toPublicLinkView, toPublicRunView } from './public-link.mapper.js';
import { PublicLinksErrors } from './public-links.errors.js';
import { PublicLinksRepository } from './public-links.repository.js';

const SELF = serviceActor('workflow');
/** Slack for a bus request beyond the time the other side was asked to wait. */
const BUS_SLACK_MS = 5_000;

/**
 * Publishing and public links: a link runs one published version with no account, billed to the
 * workflow's owner (runs start through execution.runs.start-for-owner), rate-limited per link and
 * per client address, and its caller sees only the declared outputs.
 */
@Injectable()
export class PublicLinksService {
  constructor(
    private readonly links: PublicLinksRepository,
    private readonly workflows: WorkflowsService,
    private readonly throttle: PublicLinkThrottle,
    private readonly database: Database,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
    @Inject(WORKFLOW_CONFIG) private readonly config: WorkflowConfig,
  ) {}

  /** Publishes a version and, when asked, makes a public link to it, in one transaction. */
  async publish(actor: Actor, request: PublishWorkflowRequest): Promise<PublishedWorkflowView> {
    const expiresAt = request.publicLink?.expiresAt === undefined ? null : new Date(request.publicLink.expiresAt);
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw PublicLinksErrors.expiryInPast();
    return this.database.transaction(async () => {
      const view = await this.workflows.publish(actor, request);
      if (!request.publicLink) return { ...view, publicLink: null };
      const token = randomBytes(32).toString('base64url');
      const link = Object.assign(new PublicLinkEntity(), {
        id: newId(),
        workflowId: view.id,
        ownerId: requireUserId(actor),
        version: view.publishedVersion as number,
        tokenHash: hashOf(token),
        tokenPrefix: token.slice(0, 8),
        runsPerMinute: request.publicLink.runsPerMinute ?? this.config.publicLinkRunsPerMinute,
        expiresAt,
        revokedAt: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
      await this.links.insert(link);
      const created: PublicLinkCreated = { ...toPublicLinkView(link), token, path: `/api/v1/public/workflows/${token}` };
      return { ...view, publicLink: created };
    });
  }

  async list(actor: Actor, workflowId: string): Promise<PublicLinkList> {
    const workflow = await this.workflows.requireOwned(requireUserId(actor), workflowId);
    return { items: (await this.links.listOfWorkflow(workflow.id)).map(toPublicLinkView) };
  }

  /** Revokes a link at once; revoking it again changes nothing. */
  async revoke(actor: Actor, request: PublicLinkIdRequest): Promise<void> {
    const workflow = await this.workflows.requireOwned(requireUserId(actor), request.id);
    const link = await this.links.findOfWorkflow(workflow.id, request.linkId);
    if (!link) throw PublicLinksErrors.linkNotFound();
    if (!link.revokedAt) await this.links.revoke(link.id, new Date());
  }

  async form(token: string): Promise<PublicWorkflowForm> {
    const link = await this.activeLink(token);
    const { name, definition } = await this.pinned(link);
    return { name, description: null, inputs: definition.inputs, outputs: definition.outputs, expiresAt: link.expiresAt?.toISOString() ?? null };
  }

  /** Starts a run of the link's version for its owner, after both rate limits; waits a while for it to end. */
  async startRun(actor: Actor, request: StartPublicRunRequest): Promise<PublicRunView> {
    const link = await this.activeLink(request.token);
    await this.throttle.consume(link.id, link.runsPerMinute, actor.ip);
    const workflow = await this.pinned(link);
    let run: RunView;
    try {
      run = await this.bus.request(
        RunContracts.startForOwner,
        {
          ownerId: link.ownerId,
          workflowId: link.workflowId,
          version: link.version,
          inputs: request.inputs ?? {},
          trigger: { kind: 'public_link', id: link.id },
          idempotencyKey: `public-link:${link.id}:${newId()}`,
        },
        { actor: SELF },
      );
    } catch (err) {
      throw publicError(err);
    }
    // The caller is no user: the link's runs are its owner's rows.
    await ActingUser.run(link.ownerId, () => this.links.recordRun(Object.assign(new PublicLinkRunEntity(), { id: newId(), linkId: link.id, runId: run.id })));
    return toPublicRunView(await this.runOf(link, run.id, this.config.publicRunWaitMs), workflow.definition.outputs);
  }

  /** A run this link started, as its caller may see it. */
  async getRun(request: PublicRunRequest): Promise<PublicRunView> {
    const link = await this.activeLink(request.token);
    if (!(await ActingUser.run(link.ownerId, () => this.links.ranRun(link.id, request.runId)))) throw PublicLinksErrors.runNotFound();
    const workflow = await this.pinned(link);
    return toPublicRunView(await this.runOf(link, request.runId, 0), workflow.definition.outputs);
  }

  private async runOf(link: PublicLinkEntity, runId: string, waitMs: number): Promise<RunView> {
    try {
      return await this.bus.request(RunContracts.getForOwner, { ownerId: link.ownerId, id: runId, waitMs }, { actor: SELF, timeoutMs: waitMs + BUS_SLACK_MS });
    } catch (err) {
      throw publicError(err);
    }
  }

  /** The link of this token if it can be used now: unknown, expired and revoked links are all not found. */
  private async activeLink(token: string): Promise<PublicLinkEntity> {
    // A public caller is no user: the token finds the link, whichever owner's it is.
    const link = await ActingUser.system('public link: find the link of a token', () => this.links.findByTokenHash(hashOf(token)));
    if (!link || link.revokedAt || (link.expiresAt && link.expiresAt.getTime() <= Date.now())) throw PublicLinksErrors.linkNotFound();
    return link;
  }

  /** The link's version; a workflow deleted or made inactive since takes its links with it. */
  private async pinned(link: PublicLinkEntity): Promise<ResolvedWorkflow> {
    try {
      return await this.workflows.resolve(SELF, { workflowId: link.workflowId, version: link.version, ownerId: link.ownerId });
    } catch (err) {
      if (err instanceof AppError && (err.code === ErrorCode.NOT_FOUND || err.code === ErrorCode.CONFLICT)) throw PublicLinksErrors.linkNotFound();
      throw err;
    }
  }
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a caller without an account may learn of a failure: bad inputs in full, anything else in general words. */
function publicError(err: unknown): AppError {
  if (err instanceof AppError && (err.code === ErrorCode.VALIDATION_FAILED || err.code === ErrorCode.RATE_LIMITED)) return err;
  if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) return PublicLinksErrors.linkNotFound();
  return PublicLinksErrors.runsUnavailable();
}
