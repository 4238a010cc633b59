/** Injection tokens every bus service can rely on. */
export const OUTBOX = Symbol('OUTBOX');
