// Contracts of the account features: profile, settings, projects, notifications.
import { PageQuery } from '../common/page-query.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateBy, type ValidationOptions } from 'class-validator';
import { MODEL_PROVIDERS, type ModelProvider } from '../common/model-providers.js';
import { Empty, rpc } from '../contract.js';
import { PASSWORD_MAX_LENGTH, UserView } from './auth.contracts.js';

export * from '../common/notification-requested.event.js';

// ---------------------------------------------------------------- shared validation

/** Rejects objects whose JSON is larger than `max` bytes, so free-form fields stay bounded. */
export function MaxJsonBytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => value === undefined || Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= max,
        defaultMessage: (args) => `${args?.property ?? 'value'} must be at most ${max} bytes of JSON`,
      },
    },
    options,
  );
}

/** A map of short keys to true/false/null (null removes the key on update). */
export function IsFlagMap(maxKeys: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFlagMap',
      constraints: [maxKeys],
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= maxKeys &&
          Object.entries(value).every(([k, v]) => /^[A-Za-z0-9_.-]{1,64}$/.test(k) && (typeof v === 'boolean' || v === null)),
        defaultMessage: (args) => `${args?.property ?? 'value'} must map at most ${maxKeys} ids (1-64 letters, digits, ".", "_", "-") to true, false or null`,
      },
    },
    options,
  );
}

const CURSOR = /^[A-Za-z0-9_-]{1,200}$/;

class CursorPageRequest extends PageQuery {
  @Matches(CURSOR, { message: 'cursor must be a nextCursor from a previous page' })
  declare cursor?: string;
}

export class ProjectIdRequest {
  @IsUUID()
  id: string;
}

export class NotificationIdRequest {
  @IsUUID()
  id: string;
}

// ---------------------------------------------------------------- profile

export const USERNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$/;
export const PROFILE_NAME_MAX_LENGTH = 200;

export class ProfileView extends UserView {
  @ApiProperty({ nullable: true, type: String, example: 'ada' }) username: string | null;
}

export class UpdateProfileRequest {
  @ApiPropertyOptional({ nullable: true, type: String, maxLength: PROFILE_NAME_MAX_LENGTH, example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(PROFILE_NAME_MAX_LENGTH)
  name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, pattern: USERNAME_PATTERN.source, description: 'Unique, case-insensitive; stored lower-cased' })
  @IsOptional()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3-32 letters, digits, "_", "." or "-", not starting with "." or "-"' })
  username?: string | null;
}

export class ChangeEmailRequest {
  @ApiProperty({ example: 'ada@example.org', maxLength: 254 })
  @IsEmail({}, { message: 'newEmail must be a valid email address' })
  @MaxLength(254)
  newEmail: string;

  @ApiProperty({ writeOnly: true, description: 'The current password, to prove it is really you' })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

// ---------------------------------------------------------------- settings

export const THEMES = ['light', 'dark', 'system'] as const;
export type Theme = (typeof THEMES)[number];
/** Providers a user may keep a key for; the execution service knows how to call each. */
/** Providers a user can store a key for or choose as default: the platform's one list. */
export const LLM_PROVIDERS = MODEL_PROVIDERS;
export type LlmProvider = ModelProvider;
export const SETTINGS_MAX_JSON_BYTES = 16_384;

export class ProviderKeyView {
  @ApiProperty({ enum: LLM_PROVIDERS }) provider: LlmProvider;
  @ApiProperty({ description: 'Always true: only set keys are listed' }) isSet: true;
  @ApiProperty({ example: 'x7Qa', description: 'The last four characters; the key itself is never returned' }) last4: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class SettingsView {
  @ApiProperty({ enum: THEMES }) theme: Theme;
  @ApiProperty({ enum: LLM_PROVIDERS, nullable: true }) defaultLlmProvider: LlmProvider | null;
  @ApiProperty() sidebarCollapsed: boolean;
  @ApiProperty() onboardingCompleted: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'boolean' }, example: { welcome: true } }) toursCompleted: Record<string, boolean>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Free-form client settings' }) settings: Record<string, unknown>;
  @ApiProperty({ type: [ProviderKeyView] }) providerKeys: ProviderKeyView[];
  @ApiProperty({ description: 'False when the server has no ENCRYPTION_KEYS and cannot store provider keys' }) providerKeysWritable: boolean;
}

export class UpdateSettingsRequest {
  @ApiPropertyOptional({ enum: THEMES })
  @IsOptional()
  @IsIn(THEMES)
  theme?: Theme;

  @ApiPropertyOptional({ enum: LLM_PROVIDERS, nullable: true })
  @IsOptional()
  @IsIn(LLM_PROVIDERS)
  defaultLlmProvider?: LlmProvider | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  sidebarCollapsed?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  onboardingCompleted?: boolean;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'boolean', nullable: true }, description: 'Merged into the stored map; null removes a tour' })
  @IsOptional()
  @IsFlagMap(200)
  toursCompleted?: Record<string, boolean | null>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: `Merged key by key into the stored settings; null removes a key. At most ${SETTINGS_MAX_JSON_BYTES} bytes.` })
  @IsOptional()
  @IsObject()
  @MaxJsonBytes(SETTINGS_MAX_JSON_BYTES)
  settings?: Record<string, unknown>;
}

export class ProviderRequest {
  @ApiProperty({ enum: LLM_PROVIDERS })
  @IsIn(LLM_PROVIDERS, { message: `provider must be one of: ${LLM_PROVIDERS.join(', ')}` })
  provider: LlmProvider;
}

export class PutProviderKeyBody {
  @ApiProperty({ writeOnly: true, minLength: 8, maxLength: 512, description: 'Stored encrypted; only its last four characters are ever shown' })
  @IsString()
  @MinLength(8)
  @MaxLength(512)
  @Matches(/^[\x21-\x7e]+$/, { message: 'apiKey must be printable ASCII without spaces' })
  apiKey: string;
}

export class PutProviderKeyRequest extends PutProviderKeyBody {
  @IsIn(LLM_PROVIDERS, { message: `provider must be one of: ${LLM_PROVIDERS.join(', ')}` })
  provider: LlmProvider;
}

/** For the execution service only: a user's key in clear, to call the provider with. */
export class RevealProviderKeyRequest {
  @IsUUID()
  userId: string;

  @IsIn(LLM_PROVIDERS)
  provider: LlmProvider;
}

export class RevealedProviderKey {
  provider: LlmProvider;
  apiKey: string;
}

/**
 * A broadcast (a hint, not an event) identity sends once a user's stored provider key was set,
 * replaced or deleted, before it answers the request that changed it: execution forgets what it
 * kept of that user's keys, so the next run uses the key as it is now.
 */
export const PROVIDER_KEYS_CHANGED = 'identity.provider-keys.changed';

export interface ProviderKeysHint {
  userId: string;
}

// ---------------------------------------------------------------- projects

export const PROJECT_NAME_MAX_LENGTH = 100;
export const PROJECT_DESCRIPTION_MAX_LENGTH = 2000;
const ICON = /^[a-z0-9-]{1,50}$/;
const COLOR = /^#[0-9a-fA-F]{6}$/;

export class ProjectView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: 'folder' }) icon: string;
  @ApiProperty({ example: '#f97316' }) color: string;
  @ApiProperty({ description: 'Made at registration; cannot be deleted or archived' }) isDefault: boolean;
  @ApiProperty() isArchived: boolean;
  @ApiProperty() sortOrder: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ProjectPage {
  @ApiProperty({ type: [ProjectView] }) items: ProjectView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class CreateProjectRequest {
  @ApiProperty({ maxLength: PROJECT_NAME_MAX_LENGTH, example: 'Support bots' })
  @IsString()
  @MaxLength(PROJECT_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({ maxLength: PROJECT_DESCRIPTION_MAX_LENGTH, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(PROJECT_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @ApiPropertyOptional({ example: 'folder', pattern: ICON.source })
  @IsOptional()
  @Matches(ICON, { message: 'icon must be 1-50 lower-case letters, digits or "-"' })
  icon?: string;

  @ApiPropertyOptional({ example: '#f97316', pattern: COLOR.source })
  @IsOptional()
  @Matches(COLOR, { message: 'color must be a hex colour like #f97316' })
  color?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000, description: 'Position in the list; defaults to after the last project' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  sortOrder?: number;
}

export class UpdateProjectBody {
  @ApiPropertyOptional({ maxLength: PROJECT_NAME_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(PROJECT_NAME_MAX_LENGTH)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ maxLength: PROJECT_DESCRIPTION_MAX_LENGTH, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(PROJECT_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @ApiPropertyOptional({ pattern: ICON.source })
  @IsOptional()
  @Matches(ICON, { message: 'icon must be 1-50 lower-case letters, digits or "-"' })
  icon?: string;

  @ApiPropertyOptional({ pattern: COLOR.source })
  @IsOptional()
  @Matches(COLOR, { message: 'color must be a hex colour like #f97316' })
  color?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1_000_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  sortOrder?: number;
}

export class UpdateProjectRequest extends UpdateProjectBody {
  @IsUUID()
  id: string;
}

export class ListProjectsRequest extends CursorPageRequest {
  @ApiPropertyOptional({ enum: ['false', 'true'], default: 'false', description: 'true lists archived projects instead of active ones' })
  @IsOptional()
  @IsIn(['true', 'false'])
  archived?: 'true' | 'false';
}

// ---------------------------------------------------------------- notifications

export class NotificationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'run.completed' }) kind: string;
  @ApiProperty() title: string;
  @ApiProperty({ nullable: true, type: String }) body: string | null;
  @ApiProperty({ nullable: true, type: String }) link: string | null;
  @ApiProperty({ example: 'execution', description: 'The service that asked for it' }) source: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) readAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class NotificationPage {
  @ApiProperty({ type: [NotificationView] }) items: NotificationView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
  @ApiProperty({ description: 'Unread notifications in total' }) unreadCount: number;
}

export class ListNotificationsRequest extends CursorPageRequest {
  @ApiPropertyOptional({ enum: ['false', 'true'], default: 'false', description: 'true lists only unread notifications' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}

export class MarkedRead {
  @ApiProperty() updated: number;
}

export const AccountContracts = {
  updateProfile: rpc('identity.users.update-profile', UpdateProfileRequest, ProfileView),
  changeEmail: rpc('identity.users.change-email', ChangeEmailRequest, ProfileView),

  getSettings: rpc('identity.settings.get', Empty, SettingsView),
  updateSettings: rpc('identity.settings.update', UpdateSettingsRequest, SettingsView),
  putProviderKey: rpc('identity.provider-keys.put', PutProviderKeyRequest, ProviderKeyView),
  deleteProviderKey: rpc('identity.provider-keys.delete', ProviderRequest, Empty),
  /** Answers only actor { kind: 'service', service: 'execution' }; deployments also restrict the subject with NATS permissions. */
  revealProviderKey: rpc('identity.provider-keys.reveal', RevealProviderKeyRequest, RevealedProviderKey),

  listProjects: rpc('identity.projects.list', ListProjectsRequest, ProjectPage),
  createProject: rpc('identity.projects.create', CreateProjectRequest, ProjectView),
  getProject: rpc('identity.projects.get', ProjectIdRequest, ProjectView),
  updateProject: rpc('identity.projects.update', UpdateProjectRequest, ProjectView),
  deleteProject: rpc('identity.projects.delete', ProjectIdRequest, Empty),
  archiveProject: rpc('identity.projects.archive', ProjectIdRequest, ProjectView),
  unarchiveProject: rpc('identity.projects.unarchive', ProjectIdRequest, ProjectView),

  listNotifications: rpc('identity.notifications.list', ListNotificationsRequest, NotificationPage),
  markNotificationRead: rpc('identity.notifications.mark-read', NotificationIdRequest, NotificationView),
  markAllNotificationsRead: rpc('identity.notifications.mark-all-read', Empty, MarkedRead),
} as const;
