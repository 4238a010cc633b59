import { Check, Column, Entity, ForeignKey, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';
import type { LlmProvider, Theme } from '#contracts';

/** One per user, made on first write; a user without a row sees the defaults. */
@Entity({ schema: 'identity', name: 'user_settings' })
@Unique('user_settings_user_id_uq', ['userId'])
@Check('user_settings_theme_check', `"theme" IN ('light', 'dark', 'system')`)
export class UserSettingsEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('users', { name: 'user_settings_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;

  @Column('text', { default: 'system' })
  theme: Theme;

  @Column('text', { nullable: true })
  defaultLlmProvider: LlmProvider | null;

  @Column('boolean', { default: false })
  sidebarCollapsed: boolean;

  @Column('boolean', { default: false })
  onboardingCompleted: boolean;

  @Column('jsonb', { default: {} })
  toursCompleted: Record<string, boolean>;

  @Column('jsonb', { default: {} })
  settings: Record<string, unknown>;
}
