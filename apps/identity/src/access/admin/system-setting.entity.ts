import { Column, Entity } from 'typeorm';
import { BaseEntity } from '#persistence';

@Entity({ schema: 'identity', name: 'system_settings' })
export class SystemSettingEntity extends BaseEntity {
  @Column('text')
  key: string;

  @Column('jsonb')
  value: unknown;

  @Column('uuid', { nullable: true })
  updatedBy: string | null;
}
