import { IsUUID } from 'class-validator';
import { event } from '../contract.js';

export class ProjectDeletedEvent {
  @IsUUID()
  projectId: string;

  @IsUUID()
  ownerId: string;
}

/** A project (folder) was deleted: services that file things under it move them to no project. */
export const ProjectDeleted = event('events.identity.project.deleted', ProjectDeletedEvent);
