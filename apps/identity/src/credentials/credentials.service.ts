import { Injectable } from '@nestjs/common';
import { type Actor, AppError, ErrorCode, type VerifiedCredential, type VerifyCredentialRequest } from '#contracts';
import { hashApiKey, isWellFormedApiKey } from '../api-keys/api-key.codec.js';
import { Throttle } from '../throttling/throttling.service.js';
import { CredentialsRepository } from './credentials.repository.js';

const LAST_USED_GRANULARITY_SECONDS = 60;

const refused = (what: string) => new AppError(ErrorCode.UNAUTHENTICATED, what);

/**
 * Asked by the gateway on every authenticated request. Answering from the database each time is
 * what makes a logout, a revoked or expired key and a deactivated account take effect on the very
 * next request on every gateway replica, with no cache to invalidate.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly repository: CredentialsRepository,
    private readonly throttle: Throttle,
  ) {}

  async verify(request: VerifyCredentialRequest, actor: Actor): Promise<VerifiedCredential> {
    if (actor.kind !== 'service') throw new AppError(ErrorCode.FORBIDDEN, 'only the gateway verifies credentials');
    const credential = request.apiKey !== undefined ? await this.verifyApiKey(request.apiKey) : await this.verifySession(request.userId, request.sessionId);
    await this.throttle.consume('userRequests', credential.userId);
    return credential;
  }

  private async verifySession(userId: string | undefined, sessionId: string | undefined): Promise<VerifiedCredential> {
    if (!userId || !sessionId) throw new AppError(ErrorCode.VALIDATION_FAILED, 'send either apiKey or userId with sessionId');
    const state = await this.repository.session(userId, sessionId);
    if (!state || !state.isActive) throw refused('this account is not active');
    if (!state.sessionLive) throw refused('this session has ended; sign in again');
    return { userId, isSuperuser: state.isSuperuser, scopes: ['full'], sessionId };
  }

  private async verifyApiKey(key: string): Promise<VerifiedCredential> {
    if (!isWellFormedApiKey(key)) throw refused('API key is invalid');
    const state = await this.repository.apiKey(hashApiKey(key));
    if (!state || state.revokedAt !== null) throw refused('API key is invalid or revoked');
    if (state.expiresAt !== null && state.expiresAt.getTime() <= Date.now()) throw refused('API key has expired');
    if (!state.isActive) throw refused('this account is not active');
    if (state.lastUsedAt === null || Date.now() - state.lastUsedAt.getTime() > LAST_USED_GRANULARITY_SECONDS * 1000) {
      await this.repository.touchApiKey(state.id, LAST_USED_GRANULARITY_SECONDS);
    }
    return { userId: state.userId, isSuperuser: state.isSuperuser, scopes: state.scopes, apiKeyId: state.id };
  }
}
