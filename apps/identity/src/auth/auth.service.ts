import { Inject, Injectable } from '@nestjs/common';
import type { Actor, LoginRequest, RegisterRequest, SessionReply } from '#contracts';
import { AccessTokens } from '#auth';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { newId, isUniqueViolation } from '#persistence';
import { rootLogger } from '#observability';
import type { EntityManager } from 'typeorm';
import { PasswordHasher } from '../passwords/password-hasher.js';
import type { UserEntity } from '../users/user.entity.js';
import { toUserView } from '../users/user.mapper.js';
import { UsersErrors } from '../users/users.errors.js';
import { RegistrationHooks } from '../users/registration-hooks.js';
import { UsersRepository } from '../users/users.repository.js';
import { AuthErrors } from './auth.errors.js';
import { issueRefreshToken, parseRefreshToken, secretMatches } from './refresh-token.codec.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

const DEFAULT_SCOPES = ['full'];

@Injectable()
export class AuthService {
  private readonly log = rootLogger().child({ component: 'auth' });

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: RefreshTokensRepository,
    private readonly passwords: PasswordHasher,
    private readonly accessTokens: AccessTokens,
    private readonly registration: RegistrationHooks,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async register(request: RegisterRequest, actor: Actor): Promise<SessionReply> {
    const passwordHash = await this.passwords.hash(request.password);
    try {
      return await this.tokens.transaction(async (manager) => {
        const user = await this.users.insert(manager, { email: request.email.trim().toLowerCase(), passwordHash, name: request.name?.trim() || null });
        await this.registration.onUserCreated(manager, user);
        return this.startSession(manager, user, actor);
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_uq')) throw UsersErrors.emailTaken();
      throw err;
    }
  }

  async login(request: LoginRequest, actor: Actor): Promise<SessionReply> {
    const user = await this.users.findByEmail(request.email.trim());
    // Always run one argon2 verification, so an unknown email costs what a wrong password costs.
    const ok = await this.passwords.verify(user?.passwordHash, request.password);
    if (!user || !ok || !user.isActive) throw AuthErrors.badCredentials();
    return this.tokens.transaction((manager) => this.startSession(manager, user, actor));
  }

  async refresh(refreshToken: string, actor: Actor): Promise<SessionReply> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) throw AuthErrors.badRefreshToken();
    const outcome = await this.tokens.transaction(async (manager) => {
      const row = await this.tokens.findForUpdate(manager, parsed.id);
      if (!row || !secretMatches(parsed.secret, row.tokenHash)) return { error: AuthErrors.badRefreshToken() };
      if (row.replacedById !== null) {
        // A token used twice was stolen or replayed: end the whole session for everyone holding it.
        await this.tokens.revokeFamily(manager, row.familyId);
        this.log.warn({ userId: row.userId, familyId: row.familyId }, 'refresh token reuse detected; session revoked');
        return { error: AuthErrors.badRefreshToken() };
      }
      if (row.revokedAt !== null || row.expiresAt.getTime() <= Date.now()) return { error: AuthErrors.badRefreshToken() };
      const user = await this.users.findById(row.userId);
      if (!user || !user.isActive) return { error: AuthErrors.badRefreshToken() };
      const reply = await this.issue(manager, user, row.familyId, actor);
      await this.tokens.markReplaced(manager, row.id, reply.refreshTokenId);
      return { reply: reply.session };
    });
    // Thrown after commit, so the family revocation above is kept.
    if ('error' in outcome) throw outcome.error;
    return outcome.reply;
  }

  async logout(refreshToken: string): Promise<void> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) return;
    await this.tokens.transaction(async (manager) => {
      const row = await this.tokens.findForUpdate(manager, parsed.id);
      if (row && secretMatches(parsed.secret, row.tokenHash)) await this.tokens.revokeFamily(manager, row.familyId);
    });
  }

  private async startSession(manager: EntityManager, user: UserEntity, actor: Actor): Promise<SessionReply> {
    return (await this.issue(manager, user, newId(), actor)).session;
  }

  private async issue(manager: EntityManager, user: UserEntity, familyId: string, actor: Actor): Promise<{ session: SessionReply; refreshTokenId: string }> {
    const issued = issueRefreshToken(newId());
    await this.tokens.insert(manager, {
      id: issued.id,
      userId: user.id,
      familyId,
      tokenHash: issued.hash,
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000),
      userAgent: actor.userAgent ?? null,
      ip: actor.ip ?? null,
    });
    const accessToken = await this.accessTokens.sign({ userId: user.id, sessionId: familyId, isSuperuser: user.isSuperuser, scopes: DEFAULT_SCOPES });
    return {
      refreshTokenId: issued.id,
      session: { user: toUserView(user), accessToken, refreshToken: issued.token, tokenType: 'Bearer', expiresIn: this.accessTokens.expiresIn },
    };
  }
}
