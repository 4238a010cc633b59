import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { RunModeQuery } from '#contracts';

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
