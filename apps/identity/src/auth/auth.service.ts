import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode, requireUserId } from '#contracts';
import type { Actor, ChangePasswordCommand, LoginRequest, RegisterRequest, SessionReply } from '#contracts';
import { AccessTokens } from '#auth';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { newId, isUniqueViolation } from '#persistence';
import { rootLogger } from '#observability';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { Throttle } from '../throttling/throttling.service.js';
import { PasswordHasher } from '../passwords/passwords.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { toUserView } from '../users/user.mapper.js';
import { UsersErrors } from '../users/users.errors.js';
import { RegistrationHooks } from '../users/registration-hooks.js';
import { UsersRepository } from '../users/users.repository.js';
import { AuthErrors } from './auth.errors.js';
import { issueRefreshToken, parseRefreshToken, secretMatches } from './refresh-token.codec.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { UserPasswordsRepository } from './user-passwords.repository.js';

const DEFAULT_SCOPES = ['full'];

/** Throttling key of the client: its address as the gateway saw it. */
function clientKey(actor: Actor): string {
  return actor.ip ?? 'unknown';
}

/** A failure that crosses the budget is still answered as a failure; the next attempt gets the 429. */
function ignoreLimited(err: unknown): boolean {
  if (err instanceof AppError && err.code === ErrorCode.RATE_LIMITED) return false;
  throw err;
}

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
    private readonly throttle: Throttle,
    private readonly audit: AuditService,
    private readonly userPasswords: UserPasswordsRepository,
  ) {}

  async register(request: RegisterRequest, actor: Actor): Promise<SessionReply> {
    // Counted before hashing: a flood of registrations must not buy a flood of argon2 work.
    await this.throttle.consume('registerPerIp', clientKey(actor));
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
    const account = request.email.trim().toLowerCase();
    // Only failures are counted: an address or account that keeps guessing is stopped, one that signs in is not.
    await this.throttle.check('loginPerIp', clientKey(actor));
    await this.throttle.check('loginPerAccount', account);
    const user = await this.users.findByEmail(account);
    // Always run one argon2 verification, so an unknown email costs what a wrong password costs.
    const ok = await this.passwords.verify(user?.passwordHash, request.password);
    if (!user || !ok || !user.isActive) {
      await this.countFailure(account, user?.id ?? null, actor);
      throw AuthErrors.badCredentials();
    }
    await this.throttle.reset('loginPerAccount', account);
    return this.tokens.transaction((manager) => this.startSession(manager, user, actor));
  }

  /** Needs the current password; ends every other session of the user, keeping the one that asked. */
  async changePassword(command: ChangePasswordCommand, actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    if (!command.sessionId) throw AuthErrors.needsSession();
    const user = await this.users.findById(userId);
    if (!user || !user.isActive) throw UsersErrors.accountGone();
    if (!user.passwordHash) throw AuthErrors.noPassword();
    // A stolen access token must not become a way to guess the password: same budget as logins.
    await this.throttle.check('loginPerAccount', user.email);
    if (!(await this.passwords.verify(user.passwordHash, command.currentPassword))) {
      await this.countFailure(user.email, user.id, actor);
      throw AuthErrors.wrongCurrentPassword();
    }
    const passwordHash = await this.passwords.hash(command.newPassword);
    await this.tokens.transaction(async (manager) => {
      await this.userPasswords.setPasswordHash(manager, userId, passwordHash);
      const ended = await this.userPasswords.revokeSessionsExcept(manager, userId, command.sessionId ?? null);
      await this.audit.record(actor, { action: 'auth.password.changed', targetType: 'user', targetId: userId, metadata: { otherSessionsEnded: ended } }, manager);
    });
  }

  /** Signs a user in who was authenticated elsewhere (an external identity provider). */
  signIn(manager: EntityManager, user: UserEntity, actor: Actor): Promise<SessionReply> {
    return this.startSession(manager, user, actor);
  }

  private async countFailure(account: string, userId: string | null, actor: Actor): Promise<void> {
    const [ipSpent, accountSpent] = await Promise.all([
      this.throttle.consume('loginPerIp', clientKey(actor)).catch(ignoreLimited),
      this.throttle.consume('loginPerAccount', account).catch(ignoreLimited),
    ]);
    // One record per burst (when a budget runs out), not one per guess: the log stays readable under attack.
    if (ipSpent || accountSpent) {
      await this.audit.record(actor, {
        action: 'auth.login.throttled',
        actorId: null,
        targetType: userId ? 'user' : undefined,
        targetId: userId ?? undefined,
        metadata: { by: accountSpent ? 'account' : 'ip' },
      });
    }
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
        await this.audit.record(actor, { action: 'auth.refresh.reuse_detected', actorId: row.userId, targetType: 'session', targetId: row.familyId }, manager);
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
