import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { AppError, ErrorCode, RunModeQuery } from '#contracts';

/** The query of GET /runs/:id/events: where to start when the Last-Event-ID header is absent. */
export class RunEventsQuery {
  @ApiPropertyOptional({ description: 'Replay the events after this sequence number (the Last-Event-ID header wins when both are sent); 0 or absent: from the first' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,15}$/, { message: 'after must be a non-negative integer (an event id)' })
  after?: string;
}

/** POST /conversations/:id/messages: the run modes, plus run=false to append without running. */
export class ConversationMessageQuery extends RunModeQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'true',
    description: 'false: only append the message (201 with the message), e.g. to import history; the agent does not run and the other modes do not apply',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  run?: 'true' | 'false';
}

/** The sequence number to replay after: the Last-Event-ID header, else ?after=, else 0. */
export function resumePointOf(header: string | string[] | undefined, query: RunEventsQuery): number {
  if (header !== undefined) {
    if (typeof header !== 'string' || !/^\d{1,15}$/.test(header.trim())) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'the Last-Event-ID header is invalid', {
        errors: [{ field: 'Last-Event-ID', problems: ['Last-Event-ID must be a non-negative integer (an event id)'] }],
      });
    }
    return Number(header.trim());
  }
  return query.after === undefined ? 0 : Number(query.after);
}
