import { AdminEntities } from '../admin/admin.entities.js';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { AuditEntryEntity } from '../audit/audit-entry.entity.js';
import { OidcStateEntity } from '../oidc/oidc-state.entity.js';

/** Entities of the access features (API keys, audit log, ...), registered with the identity DataSource. */
export const ACCESS_ENTITIES: Function[] = [ApiKeyEntity, AuditEntryEntity, OidcStateEntity, ...AdminEntities];
