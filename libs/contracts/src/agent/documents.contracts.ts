import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBase64, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, IsUrl, IsUUID, MaxLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../common/page-query.js';
import { Empty, rpc } from '../contract.js';

/** Where a document's text comes from. */
export const DOCUMENT_SOURCES = ['text', 'markdown', 'html', 'pdf', 'attachment', 'url'] as const;
export type DocumentSource = (typeof DOCUMENT_SOURCES)[number];

export const DOCUMENT_STATUSES = ['pending', 'processing', 'ready', 'failed'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

const TEXT_SOURCES: readonly string[] = ['text', 'markdown', 'html'];

export class AddDocumentBody {
  @ApiProperty({ enum: DOCUMENT_SOURCES })
  @IsIn(DOCUMENT_SOURCES, { message: `source must be one of ${DOCUMENT_SOURCES.join(', ')}` })
  source: DocumentSource;

  @ApiPropertyOptional({ maxLength: 300, description: 'Default: the first line of the text' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ description: 'The document itself, for source text, markdown or html (at most KNOWLEDGE_MAX_DOCUMENT_BYTES)' })
  @ValidateIf((body: AddDocumentBody) => TEXT_SOURCES.includes(body.source) || body.content !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'content must not be empty' })
  content?: string;

  @ApiPropertyOptional({ description: 'For source pdf: the file, base64-encoded (it must also fit BODY_LIMIT_BYTES; larger files come as an attachment or a URL)' })
  @ValidateIf((body: AddDocumentBody) => body.source === 'pdf' || body.contentBase64 !== undefined)
  @IsString()
  @IsNotEmpty({ message: 'contentBase64 must not be empty' })
  @IsBase64({}, { message: 'contentBase64 must be base64' })
  contentBase64?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'For source attachment: one of your conversation attachments (text, Markdown, HTML, CSV, JSON or PDF)' })
  @ValidateIf((body: AddDocumentBody) => body.source === 'attachment' || body.attachmentId !== undefined)
  @IsUUID('all', { message: 'attachmentId must be the UUID of one of your attachments' })
  attachmentId?: string;

  @ApiPropertyOptional({ description: 'For source url: an http(s) page or file, fetched once with the same address checks as the http_get tool' })
  @ValidateIf((body: AddDocumentBody) => body.source === 'url' || body.url !== undefined)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'url must be an http or https URL' })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Inherited by every chunk; what search filters match' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class AddDocumentRequest extends AddDocumentBody {
  @IsUUID()
  knowledgeBaseId: string;
}

export class DocumentIdRequest {
  @IsUUID()
  id: string;
}

export class ListDocumentsRequest extends PageQuery {
  @IsUUID()
  knowledgeBaseId: string;
}

export class ListDocumentsQuery extends PageQuery {}

export class DocumentProgress {
  @ApiProperty({ description: 'Chunks embedded' }) done: number;
  @ApiProperty({ description: 'Chunks of the document (0 until it is split)' }) total: number;
}

export class DocumentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) knowledgeBaseId: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: DOCUMENT_SOURCES }) source: DocumentSource;
  @ApiProperty({ example: 'text/plain' }) contentType: string;
  @ApiProperty({ nullable: true, type: String, description: 'The URL or attachment id it came from' }) sourceRef: string | null;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'Hex SHA-256 of the extracted text: the same text twice is one document' }) contentHash: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ enum: DOCUMENT_STATUSES }) status: DocumentStatus;
  @ApiProperty({ nullable: true, type: String, description: 'Why it failed' }) error: string | null;
  @ApiProperty({ type: DocumentProgress }) progress: DocumentProgress;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class DocumentAddedReply extends DocumentView {
  @ApiProperty({ description: 'true when the base already had this exact text: nothing new was added' }) duplicate: boolean;
}

export class DocumentList {
  @ApiProperty({ type: [DocumentView] }) items: DocumentView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ChunkIdRequest {
  @IsUUID()
  id: string;
}

export class ChunkView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) documentId: string;
  @ApiProperty({ format: 'uuid' }) knowledgeBaseId: string;
  @ApiProperty({ description: 'Position in its document, from 0' }) index: number;
  @ApiProperty() content: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export const DocumentContracts = {
  add: rpc('agent.documents.add', AddDocumentRequest, DocumentAddedReply),
  list: rpc('agent.documents.list', ListDocumentsRequest, DocumentList),
  get: rpc('agent.documents.get', DocumentIdRequest, DocumentView),
  delete: rpc('agent.documents.delete', DocumentIdRequest, Empty),
  getChunk: rpc('agent.chunks.get', ChunkIdRequest, ChunkView),
} as const;
