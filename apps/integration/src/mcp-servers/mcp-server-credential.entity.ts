import { Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BaseEntity } from '#persistence';

/** One user's values for the credential slots of a shared server (open-webui #19313): sealed, never shown. */
@Entity({ schema: 'integration', name: 'mcp_server_credentials' })
@Unique('mcp_server_credentials_server_id_owner_id_uq', ['serverId', 'ownerId'])
@Index('mcp_server_credentials_owner_id_idx', ['ownerId'])
export class McpServerCredentialEntity extends BaseEntity {
  @Column('uuid')
  @ForeignKey('mcp_servers', { name: 'mcp_server_credentials_server_id_fkey', onDelete: 'CASCADE' })
  serverId: string;

  @Column('uuid')
  ownerId: string;

  @Column('text', { array: true, default: () => `'{}'` })
  slotNames: string[];

  @Column('text')
  valuesSealed: string;
}
