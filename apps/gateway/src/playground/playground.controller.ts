import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type PlaygroundFile, PlaygroundService } from './playground.service.js';

/**
 * The page allows only its own script, styles and API: a token in the page's storage cannot be
 * sent elsewhere, and no injected markup can run script.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

@ApiExcludeController()
@Controller()
export class PlaygroundController {
  constructor(private readonly playground: PlaygroundService) {}

  @Get()
  root(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.sendPage(request, reply);
  }

  @Get('playground')
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.sendPage(request, reply);
  }

  @Get('playground/assets/:file')
  asset(@Param('file') file: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    send(request, reply, this.playground.asset(file));
  }

  private sendPage(request: FastifyRequest, reply: FastifyReply): void {
    void reply
      .header('content-security-policy', PAGE_POLICY)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY');
    send(request, reply, this.playground.page());
  }
}

function send(request: FastifyRequest, reply: FastifyReply, file: PlaygroundFile): void {
  void reply
    .header('content-type', file.contentType)
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('etag', file.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === file.etag) {
    void reply.status(304).send();
    return;
  }
  if (file.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
    void reply.header('content-encoding', 'gzip').send(file.gzipped);
    return;
  }
  void reply.send(file.body);
}
