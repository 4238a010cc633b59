import { Inject, Injectable } from '@nestjs/common';
import { extractText, getDocumentProxy } from 'unpdf';
import { type AgentConfig, PLATFORM_CONFIG, type PlatformConfig } from '#config';
import { type Actor, type AddDocumentBody, AppError, AttachmentContracts, ErrorCode } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import { OutboundAddressError, OutboundPolicy } from '#outbound';
import { AGENT_CONFIG } from '../agent-config.module.js';
import { DocumentsErrors } from './documents.errors.js';
import { htmlToText } from './html-text.js';

/** A document's text, ready to split, and what it came from. */
export interface ReadDocument {
  text: string;
  contentType: string;
  sourceRef: string | null;
  /** Size of what was uploaded or fetched. */
  sizeBytes: number;
  /** A title the source carries (an HTML <title>), if any. */
  title?: string;
}

/** Media types a file (attachment or URL) may have, by how its text is read. */
const KINDS: Record<string, 'text' | 'markdown' | 'html' | 'pdf'> = {
  'text/plain': 'text',
  'text/csv': 'text',
  'application/json': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/pdf': 'pdf',
};
const FETCH_TIMEOUT_MS = 20_000;

/**
 * Turns what a request brings into plain text, within KNOWLEDGE_MAX_DOCUMENT_BYTES: text and
 * Markdown as they are, HTML reduced to its text, PDF through unpdf (PDF.js), one of the user's
 * conversation attachments (asked of the conversation service as the user, so another user's is
 * not found), or a URL fetched once through the outbound policy (the address checks of http_get).
 * Every refusal is a 4xx naming the field and the problem.
 */
@Injectable()
export class DocumentReader {
  private readonly maxBytes: number;
  private readonly outbound: OutboundPolicy;

  constructor(
    @Inject(AGENT_CONFIG) config: AgentConfig,
    @Inject(PLATFORM_CONFIG) platform: PlatformConfig,
    @Inject(BUS_CLIENT) private readonly bus: BusClient,
  ) {
    this.maxBytes = config.knowledge.maxDocumentBytes;
    this.outbound = new OutboundPolicy(platform.outbound);
  }

  async read(actor: Actor, body: AddDocumentBody): Promise<ReadDocument> {
    switch (body.source) {
      case 'text':
      case 'markdown':
      case 'html': {
        const content = body.content ?? '';
        const bytes = Buffer.byteLength(content, 'utf8');
        if (bytes > this.maxBytes) throw DocumentsErrors.tooLarge('content', this.maxBytes);
        return this.fromBytes(Buffer.from(content, 'utf8'), body.source === 'html' ? 'text/html' : body.source === 'markdown' ? 'text/markdown' : 'text/plain', 'content', null);
      }
      case 'pdf': {
        const bytes = Buffer.from(body.contentBase64 ?? '', 'base64');
        if (bytes.byteLength > this.maxBytes) throw DocumentsErrors.tooLarge('contentBase64', this.maxBytes);
        return this.fromBytes(bytes, 'application/pdf', 'contentBase64', null);
      }
      case 'attachment':
        return this.readAttachment(actor, body.attachmentId ?? '');
      case 'url':
        return this.readUrl(body.url ?? '');
    }
  }

  private async readAttachment(actor: Actor, id: string): Promise<ReadDocument> {
    const file = await this.bus.request(AttachmentContracts.download, { id }, { actor }).catch((err: unknown) => {
      if (err instanceof AppError && err.code === ErrorCode.NOT_FOUND) throw AppError.invalidField('attachmentId', 'attachmentId is not one of your attachments');
      throw err;
    });
    const bytes = Buffer.from(file.contentBase64, 'base64');
    if (bytes.byteLength > this.maxBytes) throw DocumentsErrors.tooLarge('attachmentId', this.maxBytes);
    return { ...(await this.fromBytes(bytes, file.contentType, 'attachmentId', id)), title: file.filename };
  }

  private async readUrl(url: string): Promise<ReadDocument> {
    let response: Response;
    try {
      response = (await this.outbound.fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'text/html, text/plain, text/markdown, application/pdf;q=0.9, */*;q=0.1' } })) as unknown as Response;
    } catch (err) {
      if (err instanceof OutboundAddressError) throw AppError.invalidField('url', `url is refused: ${err.reason}`);
      throw AppError.invalidField('url', `url could not be fetched (${err instanceof Error && err.name === 'TimeoutError' ? 'no answer in time' : 'no connection'})`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw AppError.invalidField('url', `url answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > this.maxBytes) {
      await response.body?.cancel();
      throw DocumentsErrors.tooLarge('url', this.maxBytes);
    }
    const bytes = await this.readAtMost(response, 'url');
    return this.fromBytes(bytes, response.headers.get('content-type') ?? 'application/octet-stream', 'url', url);
  }

  /** The body, refused as soon as it passes the limit (a server may send more than it declared). */
  private async readAtMost(response: Response, field: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body ?? []) {
      total += chunk.byteLength;
      if (total > this.maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw DocumentsErrors.tooLarge(field, this.maxBytes);
      }
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  private async fromBytes(bytes: Buffer, rawType: string, field: string, sourceRef: string | null): Promise<ReadDocument> {
    const contentType = rawType.split(';')[0].trim().toLowerCase();
    const kind = KINDS[contentType];
    if (!kind) throw DocumentsErrors.unsupportedType(field, contentType, Object.keys(KINDS));
    const base = { contentType, sourceRef, sizeBytes: bytes.byteLength };
    switch (kind) {
      case 'text':
      case 'markdown':
        return { ...base, text: decodeUtf8(bytes, field) };
      case 'html': {
        const { text, title } = htmlToText(decodeUtf8(bytes, field));
        return { ...base, text, title };
      }
      case 'pdf':
        return { ...base, text: await pdfText(bytes, field) };
    }
  }
}

function decodeUtf8(bytes: Buffer, field: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw DocumentsErrors.unreadable(field, 'it is not UTF-8 text');
  }
}

async function pdfText(bytes: Buffer, field: string): Promise<string> {
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw DocumentsErrors.unreadable(field, 'it is not a PDF file');
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractText(pdf, { mergePages: true });
    return text;
  } catch {
    throw DocumentsErrors.unreadable(field, 'the PDF could not be read (damaged or encrypted)');
  }
}

/** The text as indexed: Unicode-normalised, without NULs (PostgreSQL text refuses them), trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').replace(/\u0000/g, '').replace(/\r\n?/g, '\n').trim();
}
