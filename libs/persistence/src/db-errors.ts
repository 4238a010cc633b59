/** PostgreSQL SQLSTATE classes and node socket errors that mean "the database is not there". */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established|the database system is (starting up|shutting down)/i;

function driverError(err: unknown): { code?: string; constraint?: string; message?: string } {
  if (typeof err !== 'object' || err === null) return {};
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown; driverError?: unknown };
  const inner = (e.driverError ?? e) as { code?: unknown; constraint?: unknown; message?: unknown };
  return {
    code: typeof inner.code === 'string' ? inner.code : typeof e.code === 'string' ? e.code : undefined,
    constraint: typeof inner.constraint === 'string' ? inner.constraint : undefined,
    message: typeof inner.message === 'string' ? inner.message : typeof e.message === 'string' ? e.message : undefined,
  };
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const { code, message } = driverError(err);
  if (code && (CONNECTION_SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  return message !== undefined && CONNECTION_MESSAGES.test(message);
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = driverError(err);
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** A write refused by a foreign key (SQLSTATE 23503), e.g. a row for a parent deleted meanwhile; optionally by that constraint only. */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  const e = driverError(err);
  return e.code === '23503' && (constraint === undefined || e.constraint === constraint);
}
