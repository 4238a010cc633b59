import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { AppError } from '../errors.js';

/** The widest report: a year, leap day included. */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

/** `from` and `to` of a report by day (UTC, inclusive), as every usage report takes them. */
export class DayRangeQuery {
  @ApiProperty({ example: '2026-11-01', description: 'First day (UTC), inclusive' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date: YYYY-MM-DD' })
  from: string;

  @ApiProperty({ example: '2026-11-30', description: 'Last day (UTC), inclusive; at most 366 days after from' })
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date: YYYY-MM-DD' })
  to: string;
}

/** Checks a range the pattern let through: real days (2026-02-30 is not), `to` not before `from`, at most MAX_RANGE_DAYS apart. */
export function checkDayRange(range: { from: string; to: string }): void {
  const from = parseDay('from', range.from);
  const to = parseDay('to', range.to);
  if (to < from) throw AppError.invalidField('to', 'to must not be before from');
  if ((to - from) / DAY_MS > MAX_RANGE_DAYS) throw AppError.invalidField('to', `to must be at most ${MAX_RANGE_DAYS} days after from`);
}

/** The UTC midnight of a YYYY-MM-DD that names a real day. */
function parseDay(field: string, value: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw AppError.invalidField(field, `${field} must be a real date: YYYY-MM-DD`);
  return ms;
}
