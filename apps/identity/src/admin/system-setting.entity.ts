import { Column, Entity, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'identity', name: 'system_settings' })
@Unique('system_settings_key_uq', ['key'])
export class SystemSettingEntity extends BaseEntity {
  @Column('text')
  key: string;

  @Column('jsonb')
  value: unknown;

  @Column('uuid', { nullable: true })
  updatedBy: string | null;
}
