import type { LoggerService } from '@nestjs/common';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { RequestContext } from './request-context.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

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

export function createRootLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  root = pino({
    level: level as LevelWithSilent,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin() {
      const requestId = RequestContext.requestId();
      return requestId ? { requestId } : {};
    },
  });
  return root;
}

export function rootLogger(): Logger {
  return root ?? createRootLogger('info');
}

/** Nest's LoggerService on top of pino, so framework messages are JSON lines too. */
export class JsonLogger implements LoggerService {
  constructor(private readonly logger: Logger = rootLogger()) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
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

function looksLikeStack(value: string | undefined): boolean {
  return value !== undefined && /\n\s+at /.test(value);
}
