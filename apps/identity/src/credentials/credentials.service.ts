import { Injectable } from '@nestjs/common';
import { type Actor, AppError, ErrorCode, type VerifiedCredential, type VerifyCredentialRequest } from '#contracts';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuthService } from '../auth/auth.service.js';
import { ThrottlingService } from '../throttling/throttling.service.js';

/**
 * Asked by the gateway on every authenticated request. Answering from the database each time is
 * what makes a logout, a revoked or expired key and a deactivated account take effect on the very
 * next request on every gateway replica, with no cache to invalidate. The user's request budget is
 * counted here too, so the gateway needs no second hop for it.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly sessions: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly throttle: ThrottlingService,
  ) {}

  async verify(request: VerifyCredentialRequest, actor: Actor): Promise<VerifiedCredential> {
    if (actor.kind !== 'service') throw new AppError(ErrorCode.FORBIDDEN, 'only the gateway verifies credentials');
    const credential = request.apiKey !== undefined ? await this.apiKeys.verify(request.apiKey) : await this.verifySession(request.userId, request.sessionId);
    await this.throttle.consume('userRequests', credential.userId);
    return credential;
  }

  private async verifySession(userId: string | undefined, sessionId: string | undefined): Promise<VerifiedCredential> {
    if (!userId || !sessionId) throw new AppError(ErrorCode.VALIDATION_FAILED, 'send either apiKey or userId with sessionId');
    return this.sessions.verifySession(userId, sessionId);
  }
}
