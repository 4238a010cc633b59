import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { IntegrationConfig, OAuthProviderConfig } from '#config';
import {
  type Actor,
  type AuthorizeReply,
  type AuthorizeRequest,
  type AuthUrlsReply,
  type AuthUrlsRequest,
  type ConnectionList,
  type ConnectionView,
  type ListConnectionsQuery,
  NotificationRequested,
  type OAuthCallbackRequest,
  type ProviderList,
  requireService,
  requireUserId,
} from '#contracts';
import type { Outbox } from '#messaging';
import { describeError, rootLogger } from '#observability';
import { ActingUser, Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { OUTBOX } from '#service-kit';
import { INTEGRATION_CONFIG } from '../integration-config.module.js';
import { IntegrationEventsService } from '../integration-events/integration-events.service.js';
import { SecretsService } from '../secrets/secrets.service.js';
import { AgentOwnership } from './agent-ownership.js';
import { ConnectionEntity } from './connection.entity.js';
import { ConnectionsErrors } from './connections.errors.js';
import { toConnectionView } from './connections.mapper.js';
import { ConnectionsRepository } from './connections.repository.js';
import { OAuthClient, OAuthGrantError, type TokenSet } from './oauth-client.js';
import { OAuthStateEntity } from './oauth-state.entity.js';

export type { ConnectionEntity } from './connection.entity.js';

interface Credentials {
  accessToken: string;
  refreshToken: string | null;
  tokenType: string;
}

/** How long a replica holds a connection while it refreshes it; a replica that dies frees it after this. */
const REFRESH_LEASE_MS = 30_000;
/** A refresh that failed for a passing reason (network, 5xx) is tried again after this. */
const RETRY_AFTER_MS = 60_000;
/** How long a caller waits for another replica's refresh of the connection it needs. */
const WAIT_FOR_OTHER_REFRESH_MS = 10_000;

/**
 * OAuth connections: authorization code with PKCE S256, the state bound to the user (and the
 * agent) and usable once; tokens sealed at rest; refresh before expiry (INTEGRATION_REFRESH_AHEAD
 * _SECONDS minus jitter) by whichever replica leases the row first, so a grant is refreshed once
 * per expiry however many replicas or callers want it, and a rotated refresh token is stored in
 * the same write. A revoked grant marks the connection needs_reauth and notifies the user.
 */
@Injectable()
export class ConnectionsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger().child({ component: 'connections' });
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connections: ConnectionsRepository,
    private readonly secrets: SecretsService,
    private readonly events: IntegrationEventsService,
    private readonly database: Database,
    private readonly agents: AgentOwnership,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(INTEGRATION_CONFIG) private readonly config: IntegrationConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refreshDue(), this.config.refreshPollSeconds * 1000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  providers(): ProviderList {
    return { items: this.config.providers.map((p) => ({ name: p.name, title: p.title, scopes: p.scopes, hasApiTool: p.apiBaseUrl !== undefined })) };
  }

  provider(name: string): OAuthProviderConfig | undefined {
    return this.config.providers.find((p) => p.name === name);
  }

  async authorize(actor: Actor, request: AuthorizeRequest): Promise<AuthorizeReply> {
    const provider = this.provider(request.provider);
    if (!provider) throw ConnectionsErrors.unknownProvider(request.provider);
    const ownerId = requireUserId(actor);
    if (request.agentId !== undefined) await this.agents.assertOwned(actor, request.agentId);
    return this.authorizationFor(ownerId, request.agentId ?? null, provider);
  }

  /** The browser comes back from the provider: the state says whose it is (and is gone after one use). */
  async callback(request: OAuthCallbackRequest): Promise<ConnectionView> {
    const state = await ActingUser.system('OAuth callback: take the state the browser brings back', () => this.connections.takeState(hashState(request.state)));
    if (!state || state.expiresAt < new Date()) throw ConnectionsErrors.badState();
    const provider = this.provider(state.provider);
    if (!provider) throw ConnectionsErrors.unknownProvider(state.provider);
    if (request.error) throw ConnectionsErrors.refused(request.error);
    if (!request.code) throw ConnectionsErrors.missingCode();
    const verifier = this.secrets.open(state.codeVerifierSealed, state.ownerId, 'oauth_states', state.id);
    let tokens: TokenSet;
    try {
      tokens = await OAuthClient.exchangeCode(provider, request.code, verifier, this.config.oauthRedirectUrl);
    } catch (err) {
      if (err instanceof OAuthGrantError) throw ConnectionsErrors.refused(err.error);
      throw err;
    }
    const email = await OAuthClient.email(provider, tokens.accessToken);
    // The browser coming back is no user until the state names one: the connection and its event are theirs.
    const saved = await ActingUser.run(state.ownerId, () => this.database.transaction(async () => {
      const existing = await this.connections.findAccount(state.ownerId, state.agentId, provider.name, email);
      const connection = existing ?? Object.assign(new ConnectionEntity(), { id: newId(), ownerId: state.ownerId, agentId: state.agentId, provider: provider.name, accountEmail: email });
      this.applyTokens(connection, tokens, existing ? this.credentialsOf(existing).refreshToken : null);
      connection.status = 'connected';
      connection.refreshLeaseUntil = null;
      connection.scopes = tokens.scopes ?? provider.scopes;
      const row = existing ? await this.connections.save(connection) : await this.connections.insert(connection);
      await this.events.record({ ownerId: row.ownerId, type: 'connected', connectionId: row.id, provider: row.provider, data: { agentId: row.agentId, scopes: row.scopes } });
      return row;
    }));
    return toConnectionView(saved);
  }

  async list(actor: Actor, query: ListConnectionsQuery): Promise<ConnectionList> {
    const limit = query.limit ?? 20;
    const rows = await this.connections.list(requireUserId(actor), limit + 1, query.cursor === undefined ? undefined : decodeCursor(query.cursor, { id: 'uuid' }).id, query.provider);
    return pageOf(rows, limit, toConnectionView, (c) => encodeCursor({ id: c.id }));
  }

  /** Revokes the grant at the provider (best effort) and forgets the tokens. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    const connection = await this.connections.findOwned(ownerId, id);
    if (!connection) throw ConnectionsErrors.notFound();
    const provider = this.provider(connection.provider);
    const credentials = this.credentialsOf(connection);
    if (provider) await OAuthClient.revoke(provider, credentials.refreshToken ?? credentials.accessToken);
    await this.database.transaction(async () => {
      await this.connections.delete(ownerId, id);
      await this.events.record({ ownerId, type: 'disconnected', connectionId: id, provider: connection.provider });
    });
  }

  /** For the agent service: a consent link per provider the agent's integration tools need and the owner has not connected. */
  authUrls(actor: Actor, request: AuthUrlsRequest): Promise<AuthUrlsReply> {
    requireService(actor, 'agent');
    // The agent service's call made for a user acts as that user.
    return ActingUser.run(request.ownerId, () => this.authUrlsFor(request));
  }

  private async authUrlsFor(request: AuthUrlsRequest): Promise<AuthUrlsReply> {
    const authUrls: Record<string, string> = {};
    const names = [...new Set(request.refs.filter((r) => r.kind === 'integration').map((r) => r.provider ?? r.name))];
    for (const name of names) {
      const provider = this.provider(name);
      if (!provider) continue;
      if ((await this.connections.usable(request.ownerId, request.agentId, name)).length > 0) continue;
      authUrls[name] = (await this.authorizationFor(request.ownerId, request.agentId, provider)).authorizationUrl;
    }
    return { authUrls };
  }

  async assertOwned(ownerId: string, id: string): Promise<void> {
    if (!(await this.connections.findOwned(ownerId, id))) throw ConnectionsErrors.notFound();
  }

  /** The connection the agent's `<provider>_api` tool uses: the agent's own account, else the owner's for every agent. */
  async usableConnection(ownerId: string, agentId: string | null, provider: string): Promise<ConnectionEntity | undefined> {
    return (await this.connections.usable(ownerId, agentId, provider))[0];
  }

  /** A current access token: refreshed first when due (by this replica, or by the one already refreshing it). */
  async accessToken(ownerId: string, id: string): Promise<string> {
    return (await this.bearer(ownerId, id)).token;
  }

  /** The owner's connection, or null (missing or another user's). */
  findOwned(ownerId: string, id: string): Promise<ConnectionEntity | null> {
    return this.connections.findOwned(ownerId, id);
  }

  /**
   * A current access token and when it expires. `rejected` is a token a resource server just
   * answered 401 to: while the stored token is still that one, the connection is refreshed now,
   * whatever its expiry says. Either way one refresh per stale token, across callers and replicas:
   * whoever leases the row refreshes, the others wait for its new token. A revoked grant (or one
   * the refresh finds revoked) is NEEDS_REAUTH (CONFLICT); a missing connection NOT_FOUND.
   */
  async bearer(ownerId: string, id: string, rejected?: string): Promise<{ token: string; expiresAt: Date | null }> {
    let connection = await this.connections.findOwned(ownerId, id);
    if (!connection) throw ConnectionsErrors.notFound();
    const stale = (c: ConnectionEntity) =>
      c.status === 'connected' && ((c.expiresAt !== null && c.expiresAt.getTime() <= Date.now() + 5000) || (rejected !== undefined && this.credentialsOf(c).accessToken === rejected));
    const deadline = Date.now() + WAIT_FOR_OTHER_REFRESH_MS;
    while (stale(connection)) {
      const [claimed] = await this.connections.claimRefresh(REFRESH_LEASE_MS, 1, id);
      if (claimed) {
        // Another caller may have refreshed it between the read and the lease: then there is nothing to do.
        connection = stale(claimed) ? await this.refresh(claimed) : await this.connections.releaseLease(claimed.id);
        break;
      }
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
      connection = (await this.connections.findOwned(ownerId, id)) ?? connection;
    }
    if (connection.status !== 'connected') throw ConnectionsErrors.needsReauth(connection.provider);
    return { token: this.credentialsOf(connection).accessToken, expiresAt: connection.expiresAt };
  }

  /** One round of the schedule: every connection due, each leased by this replica first. */
  async refreshDue(): Promise<number> {
    return ActingUser.system('refresh due OAuth connections of every user', () => this.refreshAllDue());
  }

  private async refreshAllDue(): Promise<number> {
    try {
      await this.connections.deleteExpiredStates();
      const due = await this.connections.claimRefresh(REFRESH_LEASE_MS, 20);
      for (const connection of due) await this.refresh(connection);
      return due.length;
    } catch (err) {
      this.log.warn(describeError(err), 'refreshing connections failed; the next round retries');
      return 0;
    }
  }

  async deleteAllOf(ownerId: string): Promise<void> {
    await this.connections.deleteByOwner(ownerId);
  }

  /** Refreshes a connection this replica leased; the outcome (and the rotated refresh token) is written in one transaction with its event. */
  private refresh(connection: ConnectionEntity): Promise<ConnectionEntity> {
    // A refresh (by the schedule, or by whichever user's call found the token stale) writes the connection owner's events.
    return ActingUser.run(connection.ownerId, () => this.refreshAsOwner(connection));
  }

  private async refreshAsOwner(connection: ConnectionEntity): Promise<ConnectionEntity> {
    const provider = this.provider(connection.provider);
    const credentials = this.credentialsOf(connection);
    if (!provider || !credentials.refreshToken) return this.markRevoked(connection, provider ? 'no_refresh_token' : 'provider_removed');
    try {
      const tokens = await OAuthClient.refresh(provider, credentials.refreshToken);
      return await this.database.transaction(async () => {
        this.applyTokens(connection, tokens, credentials.refreshToken);
        connection.lastRefreshedAt = new Date();
        connection.refreshLeaseUntil = null;
        const saved = await this.connections.save(connection);
        await this.events.record({ ownerId: saved.ownerId, type: 'refreshed', connectionId: saved.id, provider: saved.provider, data: { rotated: tokens.refreshToken !== null && tokens.refreshToken !== credentials.refreshToken, expiresAt: saved.expiresAt?.toISOString() ?? null } });
        return saved;
      });
    } catch (err) {
      if (err instanceof OAuthGrantError && err.error === 'invalid_grant') return this.markRevoked(connection, err.error);
      return this.database.transaction(async () => {
        connection.refreshDueAt = new Date(Date.now() + RETRY_AFTER_MS);
        connection.refreshLeaseUntil = null;
        const saved = await this.connections.save(connection);
        await this.events.record({ ownerId: saved.ownerId, type: 'refresh_failed', connectionId: saved.id, provider: saved.provider, data: { error: err instanceof OAuthGrantError ? err.error : 'unreachable' } });
        return saved;
      });
    }
  }

  private markRevoked(connection: ConnectionEntity, reason: string): Promise<ConnectionEntity> {
    return this.database.transaction(async () => {
      connection.status = 'needs_reauth';
      connection.refreshLeaseUntil = null;
      connection.refreshDueAt = null;
      const saved = await this.connections.save(connection);
      await this.events.record({ ownerId: saved.ownerId, type: 'revoked', connectionId: saved.id, provider: saved.provider, data: { reason } });
      const title = this.provider(saved.provider)?.title ?? saved.provider;
      await this.outbox.add(NotificationRequested.integration, {
        userId: saved.ownerId,
        kind: 'connection.needs_reauth',
        title: `Your ${title} connection needs to be authorized again`,
        body: `${title} no longer accepts the platform's access${saved.accountEmail ? ` to ${saved.accountEmail}` : ''}. Tools that use it fail until you connect it again.`,
        link: '/connections',
      });
      return saved;
    });
  }

  private async authorizationFor(ownerId: string, agentId: string | null, provider: OAuthProviderConfig): Promise<AuthorizeReply> {
    const state = randomBytes(32).toString('base64url');
    const verifier = randomBytes(48).toString('base64url');
    const id = newId();
    const expiresAt = new Date(Date.now() + this.config.oauthStateTtlSeconds * 1000);
    await this.connections.insertState(
      Object.assign(new OAuthStateEntity(), { id, stateHash: hashState(state), ownerId, agentId, provider: provider.name, codeVerifierSealed: this.secrets.seal(verifier, ownerId, 'oauth_states', id), expiresAt }),
    );
    const url = new URL(provider.authorizationUrl);
    const params = {
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: this.config.oauthRedirectUrl,
      scope: provider.scopes.join(' '),
      state,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...provider.authParams,
    };
    for (const [key, value] of Object.entries(params)) if (value) url.searchParams.set(key, value);
    return { authorizationUrl: url.href, expiresAt: expiresAt.toISOString() };
  }

  /** New tokens onto the row: a refresh token the provider did not rotate is kept; the next refresh is due ahead of expiry, minus jitter. */
  private applyTokens(connection: ConnectionEntity, tokens: TokenSet, previousRefreshToken: string | null): void {
    const credentials: Credentials = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? previousRefreshToken, tokenType: tokens.tokenType };
    connection.credentialsSealed = this.secrets.sealJson(credentials as unknown as Record<string, string>, connection.ownerId, 'connections', connection.id);
    connection.expiresAt = tokens.expiresIn === null ? null : new Date(Date.now() + tokens.expiresIn * 1000);
    const jitterMs = this.config.refreshJitterSeconds > 0 ? randomInt(0, this.config.refreshJitterSeconds * 1000 + 1) : 0;
    connection.refreshDueAt = connection.expiresAt === null ? null : new Date(connection.expiresAt.getTime() - this.config.refreshAheadSeconds * 1000 - jitterMs);
    if (tokens.scopes) connection.scopes = tokens.scopes;
  }

  private credentialsOf(connection: ConnectionEntity): Credentials {
    return this.secrets.openJson(connection.credentialsSealed, connection.ownerId, 'connections', connection.id) as unknown as Credentials;
  }
}

/** States are stored hashed: a database reader cannot complete someone's authorization. */
function hashState(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}
