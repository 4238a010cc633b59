import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type Actor, type AddDocumentRequest, type DocumentAddedReply, type DocumentList, type DocumentSource, type DocumentView, type ListDocumentsRequest, requireUserId } from '#contracts';
import { Database, decodeCursor, encodeCursor, newId, pageOf } from '#persistence';
import { KnowledgeBasesService } from '../knowledge-bases/knowledge-bases.service.js';
import { DocumentReader, normaliseText } from './document-reader.js';
import { DocumentEntity } from './document.entity.js';
import { toDocumentView } from './document.mapper.js';
import { DocumentsErrors } from './documents.errors.js';
import { DocumentsRepository } from './documents.repository.js';

export type { DocumentEntity } from './document.entity.js';

const DEFAULT_LIMIT = 20;
/** The request field each source's text comes from, for errors. */
const FIELD_OF_SOURCE: Record<DocumentSource, string> = { text: 'content', markdown: 'content', html: 'content', pdf: 'contentBase64', attachment: 'attachmentId', url: 'url' };
const METADATA_MAX_BYTES = 16_384;

@Injectable()
export class DocumentsService {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly bases: KnowledgeBasesService,
    private readonly reader: DocumentReader,
    private readonly database: Database,
  ) {}

  /**
   * Reads the document's text now (so a bad file is refused at once), stores it pending and wakes
   * the ingestion worker. The same text added to the same base again adds nothing: the reply is
   * the existing document, marked duplicate.
   */
  async add(actor: Actor, request: AddDocumentRequest): Promise<DocumentAddedReply> {
    const ownerId = requireUserId(actor);
    const base = await this.bases.requireOwned(ownerId, request.knowledgeBaseId);
    const metadata = request.metadata ?? {};
    if (Buffer.byteLength(JSON.stringify(metadata), 'utf8') > METADATA_MAX_BYTES) throw DocumentsErrors.metadataTooLarge(METADATA_MAX_BYTES);
    const read = await this.reader.read(actor, request);
    const text = normaliseText(read.text);
    if (text === '') throw DocumentsErrors.empty(FIELD_OF_SOURCE[request.source]);
    const contentHash = createHash('sha256').update(text).digest('hex');
    const document = Object.assign(new DocumentEntity(), {
      id: newId(),
      knowledgeBaseId: base.id,
      ownerId,
      title: request.title ?? read.title ?? titleOf(text),
      source: request.source,
      contentType: read.contentType,
      sourceRef: read.sourceRef,
      content: text,
      contentHash,
      metadata,
      sizeBytes: read.sizeBytes,
      status: 'pending',
      error: null,
      chunksTotal: 0,
      chunksDone: 0,
      attempts: 0,
      leaseOwner: null,
      leaseExpiresAt: null,
    } satisfies Omit<DocumentEntity, 'createdAt' | 'updatedAt' | 'assignId'>);
    const inserted = await this.database.transaction(async () => {
      const row = await this.documents.insertUnlessKnown(document);
      if (row) this.bases.announceWork();
      return row;
    });
    if (inserted) return { ...toDocumentView(inserted), duplicate: false };
    const existing = await this.documents.findByHash(base.id, contentHash);
    if (!existing) throw DocumentsErrors.notFound(); // deleted between the two statements
    return { ...toDocumentView(existing), duplicate: true };
  }

  async list(actor: Actor, request: ListDocumentsRequest): Promise<DocumentList> {
    const base = await this.bases.requireOwned(requireUserId(actor), request.knowledgeBaseId);
    const limit = request.limit ?? DEFAULT_LIMIT;
    const rows = await this.documents.list({
      knowledgeBaseId: base.id,
      beforeId: request.cursor === undefined ? undefined : decodeCursor(request.cursor, { id: 'uuid' }).id,
      limit: limit + 1,
    });
    return pageOf(rows, limit, toDocumentView, (document) => encodeCursor({ id: document.id }));
  }

  async get(actor: Actor, id: string): Promise<DocumentView> {
    const document = await this.documents.findOwned(requireUserId(actor), id);
    if (!document) throw DocumentsErrors.notFound();
    return toDocumentView(document);
  }

  /** The document goes with its chunks and vectors; search stops finding it at once. */
  async delete(actor: Actor, id: string): Promise<void> {
    const ownerId = requireUserId(actor);
    await this.database.transaction(async () => {
      const document = await this.documents.lockOwned(ownerId, id);
      if (!document) throw DocumentsErrors.notFound();
      await this.documents.delete(document.id);
      if (document.status === 'ready') await this.bases.indexChanged(document.knowledgeBaseId);
    });
  }

  /** Ingestion steps (the ingestion service owns the use case and its transactions). */
  claimNext(worker: string, leaseSeconds: number): Promise<DocumentEntity | null> {
    return this.documents.claimNext(worker, leaseSeconds);
  }

  heartbeat(id: string, worker: string, leaseSeconds: number, progress: { done: number; total: number }): Promise<boolean> {
    return this.documents.heartbeat(id, worker, leaseSeconds, progress);
  }

  finish(id: string, worker: string, outcome: { status: 'ready' | 'failed' | 'pending'; error: string | null; attempts: number }): Promise<boolean> {
    return this.documents.finish(id, worker, outcome);
  }
}

/** The first line of the text, cut to a title's length. */
function titleOf(text: string): string {
  const line = text.split('\n', 1)[0].replace(/^#+\s*/, '').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line || 'Untitled';
}
