import { All, Controller, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Actor } from '#contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentActor } from '../http/actor.js';
import { AuthGuard, ScopeCheckedByRoute } from '../http/auth.guard.js';
import { McpService } from './mcp.service.js';

/**
 * The MCP endpoint (Streamable HTTP, stateless: every POST carries its JSON-RPC message and the
 * Bearer credential). Listing tools is a read; calling one needs a key with the `full` scope, which
 * the service checks per JSON-RPC method since both arrive as POST.
 */
@ApiExcludeController()
@UseGuards(AuthGuard)
@ScopeCheckedByRoute()
@Controller('mcp')
export class McpController {
  constructor(private readonly mcp: McpService) {}

  @All()
  async handle(@CurrentActor() actor: Actor, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.mcp.handle(actor, request, reply);
  }
}
