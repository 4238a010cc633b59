import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Actor, OidcCallbackRequest, OidcLoginReply, SessionReply } from '#contracts';
import type { IdentityConfig } from '#config';
import { isUniqueViolation } from '#persistence';
import { AuthService } from '../auth/auth.service.js';
import { RegistrationHooks } from '../users/registration-hooks.js';
import { UsersRepository } from '../users/users.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { IDENTITY_CONFIG } from '../identity-config.module.js';
import { OidcClient, type IdTokenClaims } from './oidc-client.js';
import { OidcErrors } from './oidc.errors.js';
import { OidcRepository } from './oidc.repository.js';

const STATE_TTL_MS = 10 * 60_000;

const random = () => randomBytes(32).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest();

@Injectable()
export class OidcService {
  private readonly client: OidcClient | undefined;

  constructor(
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    private readonly repository: OidcRepository,
    private readonly users: UsersRepository,
    private readonly registration: RegistrationHooks,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {
    this.client = config.oidc ? new OidcClient(config.oidc) : undefined;
  }

  async login(): Promise<OidcLoginReply> {
    const client = this.requireClient();
    const state = random();
    const nonce = random();
    const codeVerifier = random();
    const authorizationUrl = await client.authorizationUrl({ state, nonce, codeChallenge: sha256(codeVerifier).toString('base64url') });
    await this.repository.saveState({ stateHash: sha256(state), nonce, codeVerifier, expiresAt: new Date(Date.now() + STATE_TTL_MS) });
    return { authorizationUrl };
  }

  async callback(request: OidcCallbackRequest, actor: Actor): Promise<SessionReply> {
    const client = this.requireClient();
    // The state is spent whatever happens next: a callback can never be replayed.
    const pending = await this.repository.takeState(sha256(request.state));
    if (!pending || pending.expiresAt.getTime() <= Date.now()) throw OidcErrors.badState();
    if (request.error !== undefined) throw OidcErrors.providerRefused();
    if (!request.code) throw OidcErrors.missingCode();
    const claims = await client.redeem(request.code, pending.codeVerifier, pending.nonce);
    try {
      return await this.signIn(client.config.providerName, claims, actor);
    } catch (err) {
      // Two first sign-ins of one identity at once: the loser finds the winner's row on retry.
      if (isUniqueViolation(err, 'users_external_uq') || isUniqueViolation(err, 'users_email_uq')) return this.signIn(client.config.providerName, claims, actor);
      throw err;
    }
  }

  /** By (provider, subject) first; else an existing account by verified email; else a new account. */
  private signIn(provider: string, claims: IdTokenClaims, actor: Actor): Promise<SessionReply> {
    return this.repository.transaction(async (manager) => {
      const linked = await this.repository.findByExternalId(manager, provider, claims.subject);
      if (linked) {
        if (!linked.isActive) throw OidcErrors.inactive();
        return this.auth.signIn(manager, linked, actor);
      }
      if (!claims.email) throw OidcErrors.noEmail();
      const existing = await this.repository.findByEmailWithLink(manager, claims.email);
      if (existing) {
        // An unverified email proves nothing: linking on it would hand the account to whoever typed it at the provider.
        if (!claims.emailVerified) throw OidcErrors.emailTaken();
        if (existing.externalProvider !== null) throw OidcErrors.linkedElsewhere();
        if (!existing.user.isActive) throw OidcErrors.inactive();
        await this.repository.link(manager, existing.user.id, provider, claims.subject);
        await this.audit.record(actor, { action: 'oidc.user.linked', actorId: existing.user.id, targetType: 'user', targetId: existing.user.id, metadata: { provider } }, manager);
        return this.auth.signIn(manager, existing.user, actor);
      }
      const user = await this.users.insert(manager, { email: claims.email, passwordHash: null, name: claims.name });
      await this.repository.link(manager, user.id, provider, claims.subject);
      await this.registration.onUserCreated(manager, user);
      await this.audit.record(actor, { action: 'oidc.user.created', actorId: user.id, targetType: 'user', targetId: user.id, metadata: { provider } }, manager);
      return this.auth.signIn(manager, user, actor);
    });
  }

  private requireClient(): OidcClient {
    if (!this.client) throw OidcErrors.notConfigured();
    return this.client;
  }
}
