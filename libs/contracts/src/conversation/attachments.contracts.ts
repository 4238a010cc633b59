import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { rpc } from '../contract.js';

export class AttachmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) conversationId: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) messageId: string | null;
  @ApiProperty() filename: string;
  @ApiProperty() contentType: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'Hex SHA-256 of the bytes' }) sha256: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

/**
 * An upload as JSON with the bytes in base64: it fits the gateway's JSON body limit and the bus's
 * 1 MiB message limit, which is why attachments are capped well below 1 MiB.
 */
export class UploadAttachmentBody {
  @ApiProperty({ maxLength: 255, example: 'notes.txt' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  filename: string;

  @ApiProperty({ example: 'text/plain', description: 'One of CONVERSATION_ATTACHMENT_TYPES' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$/, { message: 'contentType must be a media type like text/plain' })
  contentType: string;

  @ApiProperty({ description: 'The bytes, base64-encoded; at most CONVERSATION_ATTACHMENT_MAX_BYTES once decoded' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1_000_000)
  @IsBase64()
  contentBase64: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A message of the conversation this file belongs to' })
  @IsOptional()
  @IsUUID()
  messageId?: string;
}

export class UploadAttachmentRequest extends UploadAttachmentBody {
  @IsUUID()
  id: string;
}

export class AttachmentIdRequest {
  @IsUUID()
  id: string;
}

export class AttachmentContent extends AttachmentView {
  @ApiProperty() contentBase64: string;
}

export const AttachmentContracts = {
  upload: rpc('conversation.attachments.upload', UploadAttachmentRequest, AttachmentView),
  download: rpc('conversation.attachments.download', AttachmentIdRequest, AttachmentContent),
} as const;
