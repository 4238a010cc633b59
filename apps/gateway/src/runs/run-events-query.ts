import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { AppError, ErrorCode } from '#contracts';

/** The query of GET /runs/:id/events: where to start when the Last-Event-ID header is absent. */
export class RunEventsQuery {
  @ApiPropertyOptional({ description: 'Replay the events after this sequence number (the Last-Event-ID header wins when both are sent); 0 or absent: from the first' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,15}$/, { message: 'after must be a non-negative integer (an event id)' })
  after?: string;
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
