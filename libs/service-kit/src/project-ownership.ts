import { Inject, Injectable } from '@nestjs/common';
import { type Actor, AccountContracts, AppError, ErrorCode } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';

/**
 * Where the project of an agent, a knowledge base or a workflow is checked to be the caller's. Projects belong to the identity
 * service: it is asked with the caller as actor, so another user's project (or none at all) is a
 * NOT_FOUND there, reported here as a bad projectId. Every path that sets a project (create,
 * template, wizard, import, PATCH) goes through here.
 */
@Injectable()
export class ProjectOwnership {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  async assertOwned(actor: Actor, projectId: string): Promise<void> {
    try {
      await this.bus.request(AccountContracts.getProject, { id: projectId }, { actor });
    } catch (err) {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'projectId is not one of your projects', {
          errors: [{ field: 'projectId', problems: ['projectId must be one of your projects'] }],
        });
      }
      throw err;
    }
  }
}
