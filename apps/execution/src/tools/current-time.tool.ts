import { BUILTIN_TOOLS } from '#contracts';
import { ToolInputError, type Tool, type ToolContext } from './tool.js';

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Offset like "+05:30" from the minutes east of UTC. */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The current date and time, so the model does not guess from its training cut-off. */
export class CurrentTimeTool implements Tool {
  readonly name = 'current_time';
  readonly description = BUILTIN_TOOLS.current_time.description;
  readonly parameters: Record<string, unknown> = BUILTIN_TOOLS.current_time.parameters;
  readonly idempotent = BUILTIN_TOOLS.current_time.idempotent;
  readonly location = 'server' as const;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async execute(args: Record<string, unknown>, _context: ToolContext): Promise<string> {
    const requested = args.timezone ?? 'UTC';
    if (typeof requested !== 'string') throw new ToolInputError('current_time: "timezone" must be a string');
    const timeZone = requested.trim() === '' ? 'UTC' : requested.trim();

    let format: Intl.DateTimeFormat;
    try {
      // Intl is the authority on which zone names exist; it throws RangeError for unknown ones.
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        weekday: 'long',
        hourCycle: 'h23',
      });
    } catch {
      throw new ToolInputError(`current_time: unknown time zone "${requested}"; use an IANA name such as "Europe/Paris"`);
    }

    const now = this.clock();
    const ms = now.getTime();
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(now)) parts[part.type] = part.value;
    const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
    // The zone's offset is the difference between its wall clock read as UTC and the real instant.
    const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
    const offsetMinutes = Math.round((wallAsUtc - Math.floor(ms / 1000) * 1000) / 60_000);
    const local = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${formatOffset(offsetMinutes)}`;

    return JSON.stringify({
      iso: now.toISOString(),
      timezone: format.resolvedOptions().timeZone,
      local,
      weekday: parts.weekday,
      unixSeconds: Math.floor(ms / 1000),
    });
  }
}
