import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';
import { rpc } from '../contract.js';

export class FindOwnedKnowledgeBasesRequest {
  @IsUUID()
  ownerId: string;

  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  ids: string[];
}

export class OwnedKnowledgeBases {
  /** The requested ids that exist and belong to the owner; any other id is missing or another user's. */
  @ApiProperty({ type: [String] }) found: string[];
}

export const KnowledgeBaseRefContracts = {
  /** For services saving a reference to knowledge bases (agents, workflow knowledge nodes). */
  findOwned: rpc('agent.knowledge-bases.find-owned', FindOwnedKnowledgeBasesRequest, OwnedKnowledgeBases),
} as const;
