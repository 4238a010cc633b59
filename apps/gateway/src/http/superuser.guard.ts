import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '#contracts';
import type { FastifyRequest } from 'fastify';

/** After AuthGuard: isSuperuser was read from identity's database for this very request. */
@Injectable()
export class SuperuserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.actor?.isSuperuser !== true) throw new AppError(ErrorCode.FORBIDDEN, 'this needs a superuser');
    return true;
  }
}
