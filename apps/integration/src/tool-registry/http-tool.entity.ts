import { Check, Column, Entity, Index, Unique } from 'typeorm';
import type { HttpToolAuthType, HttpToolMethod } from '#contracts';
import { BaseEntity } from '#persistence';

/** An HTTP tool a user defined (seed 004 Tools): a request template the model fills with JSON-schema arguments. */
@Entity({ schema: 'integration', name: 'tools' })
@Unique('tools_owner_id_name_uq', ['ownerId', 'name'])
@Check('tools_method_ck', `"method" IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')`)
@Check('tools_auth_type_ck', `"auth_type" IN ('none', 'header', 'connection')`)
@Index('tools_owner_id_id_idx', ['ownerId', 'id'])
export class HttpToolEntity extends BaseEntity {
  @Column('uuid')
  ownerId: string;

  @Column('text')
  name: string;

  @Column('text', { default: '' })
  description: string;

  @Column('text', { default: 'GET' })
  method: HttpToolMethod;

  @Column('text')
  urlTemplate: string;

  @Column('jsonb', { default: () => `'{"type": "object", "properties": {}}'` })
  parameters: Record<string, unknown>;

  @Column('text', { default: 'none' })
  authType: HttpToolAuthType;

  @Column('text', { nullable: true })
  authHeaderName: string | null;

  /** The header value, sealed (libs/crypto) with the owner and the tool bound in. */
  @Column('text', { nullable: true })
  authHeaderSealed: string | null;

  /** One of the owner's OAuth connections; checked when saved, a plain uuid (same schema, but connections come and go). */
  @Column('uuid', { nullable: true })
  authConnectionId: string | null;

  @Column('boolean', { default: false })
  idempotent: boolean;

  @Column('boolean', { default: true })
  isActive: boolean;
}
