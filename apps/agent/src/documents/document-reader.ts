import { Inject, Injectable } from '@nestjs/common';
import type { AgentConfig } from '#config';
import type { AddDocumentBody, DocumentSource } from '#contracts';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { DocumentsErrors } from './documents.errors.js';

/** A document's text, ready to split, and what it came from. */
export interface ReadDocument {
  text: string;
  contentType: string;
  sourceRef: string | null;
  /** Size of what was uploaded or fetched. */
  sizeBytes: number;
  /** A title the source carries (an HTML <title>, a file name), if any. */
  title?: string;
}

const CONTENT_TYPES: Record<DocumentSource, string> = {
  text: 'text/plain',
  markdown: 'text/markdown',
};

/** Turns what a request brings (text in the body, a file, a URL) into plain text, within the size limit. */
@Injectable()
export class DocumentReader {
  private readonly maxBytes: number;

  constructor(@Inject(AGENT_CONFIG) config: AgentConfig) {
    this.maxBytes = config.knowledge.maxDocumentBytes;
  }

  async read(body: AddDocumentBody): Promise<ReadDocument> {
    switch (body.source) {
      case 'text':
      case 'markdown':
        return this.readInline(body.content ?? '', CONTENT_TYPES[body.source]);
    }
  }

  private readInline(content: string, contentType: string): ReadDocument {
    const sizeBytes = Buffer.byteLength(content, 'utf8');
    if (sizeBytes > this.maxBytes) throw DocumentsErrors.tooLarge('content', this.maxBytes);
    return { text: content, contentType, sourceRef: null, sizeBytes };
  }
}

/** The text as indexed: Unicode-normalised, without NULs (PostgreSQL text refuses them), trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\u0000/g, '').replace(/\r\n?/g, '\n').trim();
}
