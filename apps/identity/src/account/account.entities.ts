import { NotificationEntity } from '../notifications/notification.entity.js';
import { ProjectEntity } from '../projects/project.entity.js';
import { ProviderKeyEntity } from '../settings/provider-key.entity.js';
import { UserSettingsEntity } from '../settings/user-settings.entity.js';

/** Entities of the account features (settings, projects, notifications), registered with the identity DataSource. */
export const ACCOUNT_ENTITIES: Function[] = [UserSettingsEntity, ProviderKeyEntity, ProjectEntity, NotificationEntity];
