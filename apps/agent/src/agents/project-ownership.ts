import { Injectable } from '@nestjs/common';
import type { Actor } from '#contracts';

/**
 * Where an agent's project is checked to be the caller's. Projects belong to the identity
 * service, which has no project contract on the bus yet, so for now any UUID is accepted and
 * kept as a plain reference (project.deleted keeps it honest). Once identity answers
 * `identity.projects.get`, this asks it with the caller as actor and turns NOT_FOUND into a 400
 * naming projectId; every path that sets a project (create, template, wizard, import, PATCH)
 * already goes through here.
 */
@Injectable()
export class ProjectOwnership {
  async assertOwned(_actor: Actor, _projectId: string): Promise<void> {}
}
