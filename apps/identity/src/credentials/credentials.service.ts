import { Injectable } from '@nestjs/common';
import { type Actor, AppError, ErrorCode, type VerifiedCredential, type VerifyCredentialRequest } from '#contracts';
import { ActingUser } from '#persistence';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuthService } from '../auth/auth.service.js';
import { CredentialNoticesService } from '../credential-notices/credential-notices.service.js';
import { BudgetRefused, ThrottlingService } from '../throttling/throttling.service.js';
import { UsersService } from '../users/users.service.js';

/** The most requests of a user's budget one gateway replica takes in advance. */
const MAX_LEASE = 100;

/**
 * Asked by the gateway when it holds no verified copy of a credential, or has spent the share of
 * the user's request budget it took (see ThrottlingService.lease). Answered from the database:
 * the gateway caches the answer for a few seconds and forgets it when identity broadcasts a
 * change (CredentialNoticesService), which is what makes a logout, a revoked key and a
 * deactivated account take effect on the next request on every gateway replica.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly sessions: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly throttle: ThrottlingService,
    private readonly notices: CredentialNoticesService,
    private readonly users: UsersService,
  ) {}

  async verify(request: VerifyCredentialRequest, actor: Actor): Promise<VerifiedCredential> {
    if (actor.kind !== 'service') throw new AppError(ErrorCode.FORBIDDEN, 'only the gateway verifies credentials');
    const credential = request.apiKey !== undefined ? await this.apiKeys.verify(request.apiKey) : await this.verifySession(request.userId, request.sessionId);
    // The rest as the credential's user: the statements of one check then share one setting of it.
    return ActingUser.run(credential.userId, () => this.withBudget(credential));
  }

  private async withBudget(credential: VerifiedCredential): Promise<VerifiedCredential> {
    try {
      const budget = await this.throttle.lease('userRequests', credential.userId, MAX_LEASE);
      // The profile rides along, so GET /me costs the gateway no hop while its copy lives.
      const user = await this.users.findById(credential.userId);
      return { ...credential, budget, ...(user ? { profile: this.users.view(user) } : {}) };
    } catch (err) {
      // Replicas still holding a share of this budget drop it, so the 429 holds on all of them.
      if (err instanceof BudgetRefused && err.first) this.notices.budgetSpent(credential.userId);
      throw err;
    }
  }

  private async verifySession(userId: string | undefined, sessionId: string | undefined): Promise<VerifiedCredential> {
    if (!userId || !sessionId) throw new AppError(ErrorCode.VALIDATION_FAILED, 'send either apiKey or userId with sessionId');
    return this.sessions.verifySession(userId, sessionId);
  }
}
