import { IsUUID } from 'class-validator';
import { event } from '../contract.js';

export class UserDeletedEvent {
  @IsUUID()
  userId: string;
}

/** Every service that stores rows of a user consumes this and removes or anonymises them. */
export const UserDeleted = event('events.identity.user.deleted', UserDeletedEvent);
