import type { LoggerService } from '@nestjs/common';
import { pino, type Logger, type LevelWithSilent, type LoggerOptions } from 'pino';
import { RequestContext } from './request-context.js';
import { Tracing } from './tracing.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * `json`: one JSON object per line, for log collectors. `pretty`: one readable line per entry, for
 * a person at a terminal. `auto`: pretty when stdout is a terminal, JSON otherwise.
 */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** Keys whose values are never written, wherever they appear in a logged object. */
const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
];

let root: Logger | undefined;

export function createRootLogger(level: LogLevel, base: Record<string, unknown> = {}, format: LogFormat = 'json'): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const options = {
    level: level as LevelWithSilent,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin() {
      const requestId = RequestContext.requestId();
      // With tracing on, a line names its trace too, so a log search and a trace view meet.
      const traceId = Tracing.traceId();
      return requestId ? (traceId ? { requestId, traceId } : { requestId }) : traceId ? { traceId } : {};
    },
  } satisfies LoggerOptions;
  root = pretty ? pino(options, prettyStream(process.stdout)) : pino(options);
  return root;
}

export function rootLogger(): Logger {
  return root ?? createRootLogger('info');
}

/** Nest's LoggerService on top of pino, so framework messages are JSON lines too. */
export class JsonLogger implements LoggerService {
  constructor(private readonly logger: Logger = rootLogger()) {}

  log(message: unknown, context?: string): void {
    // Nest's own start-up lines (modules loaded, every route mapped, "successfully started") are
    // details: the processes say in one line of their own when they are ready.
    this.write(context !== undefined && NEST_START_UP_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, _traceOrContext?: string, context?: string): void {
    // Nest passes a stack as the second argument: it is deliberately not written.
    this.write('error', message, context ?? (looksLikeStack(_traceOrContext) ? undefined : _traceOrContext));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', message: unknown, context?: string): void {
    const fields = context ? { context } : {};
    if (message instanceof Error) {
      this.logger[level]({ ...fields, error: message.name }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}

const NEST_START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

function looksLikeStack(value: string | undefined): boolean {
  return value !== undefined && /\n\s+at /.test(value);
}

const PRETTY_LEVELS: Record<string, string> = { trace: 'TRACE ', debug: 'DEBUG ', info: '', warn: 'WARN ', error: 'ERROR ', fatal: 'FATAL ' };
/** Fields every line has, or that say nothing at a terminal where one process writes. */
const PRETTY_HIDDEN = new Set(['level', 'time', 'msg', 'app']);

/** Whether the message already shows this value (long enough not to match by chance). */
function saysAlready(message: string, value: unknown): boolean {
  const text = String(value);
  return text.length >= 4 && (typeof value === 'string' || typeof value === 'number') && message.includes(text);
}

/**
 * Writes each entry as `HH:MM:SS [LEVEL ]message key=value ...`: info carries no label, and a field
 * whose value the message already says is left out. Redaction has already happened in pino.
 */
function prettyStream(out: NodeJS.WriteStream): { write(line: string): void } {
  const color = out.isTTY === true && !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (color && text ? `\u001b[${code}m${text}\u001b[0m` : text);
  const LEVEL_COLORS: Record<string, string> = { trace: '2', debug: '2', warn: '33', error: '31', fatal: '31;1' };
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const level = String(entry.level);
      const message = typeof entry.msg === 'string' ? entry.msg : '';
      const at = new Date(typeof entry.time === 'string' ? entry.time : Date.now());
      const time = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
      const fields = Object.entries(entry)
        .filter(([key, value]) => !PRETTY_HIDDEN.has(key) && value !== undefined && !saysAlready(message, value))
        .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
      const text = [message, ...fields].filter((part) => part !== '').join(' ');
      out.write(`${paint('2', time)} ${paint(LEVEL_COLORS[level] ?? '', PRETTY_LEVELS[level] ?? `${level.toUpperCase()} `)}${text}\n`);
    },
  };
}
