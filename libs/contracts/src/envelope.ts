import { AppError, ErrorCode } from './errors.js';
import { Type } from 'class-transformer';
import { Allow, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';

/**
 * Who is asking. Set by the gateway from a verified credential (or by a service for its own
 * calls), never taken from a client's body.
 */
export class Actor {
  @IsIn(['user', 'service', 'anonymous'])
  kind: 'user' | 'service' | 'anonymous';

  @IsOptional()
  @IsUUID()
  userId?: string;

  @IsOptional()
  @IsBoolean()
  isSuperuser?: boolean;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  scopes?: string[];

  /** For kind 'service': the calling service's name. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  service?: string;

  /** Client address and agent as the gateway saw them, for audit and throttling. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  ip?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  userAgent?: string;
}

export const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous' }) as Actor;

export function serviceActor(service: string): Actor {
  return { kind: 'service', service };
}

/** Every request on the bus is one of these. */
export class Envelope<T = unknown> {
  @ValidateNested()
  @Type(() => Actor)
  actor: Actor;

  @IsString()
  @MaxLength(128)
  requestId: string;

  @Allow()
  data: T;
}

/** Every event on the bus is one of these; `id` is the outbox row id and the dedup key. */
export interface EventEnvelope<T = unknown> {
  id: string;
  subject: string;
  occurredAt: string;
  requestId?: string;
  actor?: Actor;
  data: T;
}

/** The signed-in user an operation acts for; anonymous and service callers are refused. */
export function requireUserId(actor: Actor): string {
  if (actor.kind !== 'user' || !actor.userId) throw new AppError(ErrorCode.UNAUTHENTICATED, 'this operation needs a signed-in user');
  return actor.userId;
}

/** Subjects reserved for one service (e.g. writes from runs): every other caller gets FORBIDDEN. */
export function requireService(actor: Actor, service: string): void {
  if (actor.kind !== 'service' || actor.service !== service) throw new AppError(ErrorCode.FORBIDDEN, `only the ${service} service may call this`);
}
