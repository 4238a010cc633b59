import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';
import type { LlmProvider, Theme } from '#contracts';

/** One per user, made on first write; a user without a row sees the defaults. */
@Entity({ schema: 'identity', name: 'user_settings' })
export class UserSettingsEntity extends BaseEntity {
  @Column('uuid')
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
