/**
 * What of an unexpected error may be logged: its class, a driver code and a bounded message.
 * Never the stack, never a query or its parameters (a TypeORM QueryFailedError carries both),
 * never a connection string.
 */
export interface ErrorDescription {
  error: string;
  code?: string;
  message: string;
}

const URL_WITH_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

export function describeError(err: unknown): ErrorDescription {
  if (!(err instanceof Error)) {
    return { error: typeof err, message: 'non-error value thrown' };
  }
  const code = (err as { code?: unknown }).code;
  return {
    error: err.name || err.constructor.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    message: err.message.replace(URL_WITH_CREDENTIALS, '$1***@').slice(0, 300),
  };
}
