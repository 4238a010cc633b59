import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorCode, requireUserId } from '#contracts';
import type { Actor, ChangePasswordCommand, LoginRequest, RegisterRequest, SessionReply, VerifiedCredential } from '#contracts';
import { AccessTokens } from '#auth';
import { PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { ActingUser, Database, newId } from '#persistence';
import { rootLogger } from '#observability';
import { AuditService } from '../audit/audit.service.js';
import { CredentialNoticesService } from '../credential-notices/credential-notices.service.js';
import { PasswordsService } from '../passwords/passwords.service.js';
import { ThrottlingService } from '../throttling/throttling.service.js';
import { type UserEntity, UsersService } from '../users/users.service.js';
import { AuthErrors } from './auth.errors.js';
import { issueRefreshToken, parseRefreshToken, secretMatches } from './refresh-token.codec.js';
import type { RefreshTokenEntity } from './refresh-token.entity.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';

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
    private readonly tokens: RefreshTokensRepository,
    private readonly users: UsersService,
    private readonly passwords: PasswordsService,
    private readonly accessTokens: AccessTokens,
    private readonly throttle: ThrottlingService,
    private readonly audit: AuditService,
    private readonly database: Database,
    private readonly notices: CredentialNoticesService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async register(request: RegisterRequest, actor: Actor): Promise<SessionReply> {
    // Counted before hashing: a flood of registrations must not buy a flood of argon2 work.
    await this.throttle.consume('registerPerIp', clientKey(actor));
    const passwordHash = await this.passwords.hash(request.password);
    return this.database.transaction(async () => {
      const user = await this.users.create({ email: request.email.trim().toLowerCase(), passwordHash, name: request.name?.trim() || null });
      return this.startSession(user, actor);
    });
  }

  async login(request: LoginRequest, actor: Actor): Promise<SessionReply> {
    const account = request.email.trim().toLowerCase();
    // Only failures are counted: an address or account that keeps guessing is stopped, one that signs in is not.
    await this.throttle.check('loginPerIp', clientKey(actor));
    await this.throttle.check('loginPerAccount', account);
    const user = await ActingUser.system('login: find the account of an email', () => this.users.findByEmail(account));
    // Always run one argon2 verification, so an unknown email costs what a wrong password costs.
    const ok = await this.passwords.verify(user?.passwordHash, request.password);
    if (!user || !ok || !user.isActive) {
      await this.countFailure(account, user?.id ?? null, actor);
      throw AuthErrors.badCredentials();
    }
    await this.throttle.reset('loginPerAccount', account);
    return this.startSession(user, actor);
  }

  /** Needs the current password; ends every other session of the user, keeping the one that asked. */
  async changePassword(command: ChangePasswordCommand, actor: Actor): Promise<void> {
    const userId = requireUserId(actor);
    if (!command.sessionId) throw AuthErrors.needsSession();
    const user = await this.users.activeAccount(userId);
    if (!user.passwordHash) throw AuthErrors.noPassword();
    // A stolen access token must not become a way to guess the password: same budget as logins.
    await this.throttle.check('loginPerAccount', user.email);
    if (!(await this.passwords.verify(user.passwordHash, command.currentPassword))) {
      await this.countFailure(user.email, user.id, actor);
      throw AuthErrors.wrongCurrentPassword();
    }
    const passwordHash = await this.passwords.hash(command.newPassword);
    await this.database.transaction(async () => {
      await this.users.setPassword(userId, passwordHash);
      const ended = await this.tokens.revokeAllOf(userId, command.sessionId ?? null);
      this.notices.changed(userId);
      await this.audit.record(actor, { action: 'auth.password.changed', targetType: 'user', targetId: userId, metadata: { otherSessionsEnded: ended } });
    });
  }

  /** Signs in a user who was authenticated elsewhere (an external identity provider), in the caller's transaction. */
  signIn(user: UserEntity, actor: Actor): Promise<SessionReply> {
    return this.startSession(user, actor);
  }

  /** Ends every session of the user but `keepFamilyId` (null ends them all); answers how many tokens were revoked. */
  async endSessions(userId: string, keepFamilyId: string | null): Promise<number> {
    const ended = await this.tokens.revokeAllOf(userId, keepFamilyId);
    this.notices.changed(userId);
    return ended;
  }

  /**
   * The credential check of a signed-in session, made on every authenticated request: the
   * account is active and the session (its refresh-token family) was not ended. Acts as the user
   * the signed access token names.
   */
  async verifySession(userId: string, sessionId: string): Promise<VerifiedCredential> {
    const state = await ActingUser.run(userId, () => this.tokens.sessionState(userId, sessionId));
    if (!state || !state.isActive) throw AuthErrors.inactive();
    if (!state.sessionLive) throw AuthErrors.sessionEnded();
    return { userId, isSuperuser: state.isSuperuser, scopes: DEFAULT_SCOPES, sessionId };
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
    const outcome = await this.database.transaction(async () => {
      const row = await this.presentedToken(parsed.id);
      if (!row || !secretMatches(parsed.secret, row.tokenHash)) return { error: AuthErrors.badRefreshToken() };
      return ActingUser.run(row.userId, () => this.rotate(row, actor));
    });
    // Thrown after commit, so the family revocation above is kept.
    if ('error' in outcome) throw outcome.error;
    return outcome.reply;
  }

  /** The token a client presents, locked until the caller's transaction ends; its owner is not known before it is found. */
  private presentedToken(id: string): Promise<RefreshTokenEntity | null> {
    return ActingUser.system('refresh or logout: find the presented refresh token', () => this.tokens.findForUpdate(id));
  }

  /** Spends a matching refresh token for a new one in the same session, or ends the session when it was already spent. */
  private async rotate(row: RefreshTokenEntity, actor: Actor): Promise<{ error: AppError } | { reply: SessionReply }> {
    if (row.replacedById !== null) {
      // A token used twice was stolen or replayed: end the whole session for everyone holding it.
      await this.tokens.revokeFamily(row.familyId);
      this.notices.changed(row.userId);
      await this.audit.record(actor, { action: 'auth.refresh.reuse_detected', actorId: row.userId, targetType: 'session', targetId: row.familyId });
      this.log.warn({ userId: row.userId, familyId: row.familyId }, 'refresh token reuse detected; session revoked');
      return { error: AuthErrors.badRefreshToken() };
    }
    if (row.revokedAt !== null || row.expiresAt.getTime() <= Date.now()) return { error: AuthErrors.badRefreshToken() };
    const user = await this.users.findById(row.userId);
    if (!user || !user.isActive) return { error: AuthErrors.badRefreshToken() };
    const reply = await this.issue(user, row.familyId, actor);
    await this.tokens.markReplaced(row.id, reply.refreshTokenId);
    return { reply: reply.session };
  }

  async logout(refreshToken: string): Promise<void> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) return;
    await this.database.transaction(async () => {
      const row = await this.presentedToken(parsed.id);
      if (row && secretMatches(parsed.secret, row.tokenHash)) {
        await ActingUser.run(row.userId, () => this.tokens.revokeFamily(row.familyId));
        this.notices.changed(row.userId);
      }
    });
  }

  private async startSession(user: UserEntity, actor: Actor): Promise<SessionReply> {
    return (await this.issue(user, newId(), actor)).session;
  }

  /** As the user, whoever asked: a session is issued before anyone is signed in. */
  private async issue(user: UserEntity, familyId: string, actor: Actor): Promise<{ session: SessionReply; refreshTokenId: string }> {
    const issued = issueRefreshToken(newId());
    await ActingUser.run(user.id, () => this.tokens.insert({
      id: issued.id,
      userId: user.id,
      familyId,
      tokenHash: issued.hash,
      expiresAt: new Date(Date.now() + this.config.refreshTokenTtlSeconds * 1000),
      userAgent: actor.userAgent ?? null,
      ip: actor.ip ?? null,
    }));
    const accessToken = await this.accessTokens.sign({ userId: user.id, sessionId: familyId, isSuperuser: user.isSuperuser, scopes: DEFAULT_SCOPES });
    return {
      refreshTokenId: issued.id,
      session: { user: this.users.view(user), accessToken, refreshToken: issued.token, tokenType: 'Bearer', expiresIn: this.accessTokens.expiresIn },
    };
  }
}
