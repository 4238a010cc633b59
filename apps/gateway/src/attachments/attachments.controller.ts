import { Controller, Get, Inject, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { type Actor, AttachmentContracts, AttachmentIdRequest } from '#contracts';
import { BUS_CLIENT, type BusClient } from '#messaging';
import type { FastifyReply } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard } from '../http/auth.guard.js';
import { ProblemResponses } from '../http/openapi.js';

@ApiTags('conversations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@ProblemResponses(400, 401, 404, 503, 504)
@Controller('attachments')
export class AttachmentsController {
  constructor(@Inject(BUS_CLIENT) private readonly bus: BusClient) {}

  @Get(':id')
  @ApiOperation({ summary: 'Download an attachment: its bytes, with its content type, always as a download' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The bytes', schema: { type: 'string', format: 'binary' } })
  async download(@Param() params: AttachmentIdRequest, @CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const file = await this.bus.request(AttachmentContracts.download, params, { actor });
    // "attachment" plus nosniff: an uploaded HTML or SVG file can never run as a page of this origin.
    void reply
      .header('content-type', file.contentType)
      .header('content-disposition', contentDisposition(file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('etag', `"${file.sha256}"`);
    return Buffer.from(file.contentBase64, 'base64');
  }
}

/** RFC 6266: an ASCII fallback name plus the exact name in RFC 5987 encoding. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
