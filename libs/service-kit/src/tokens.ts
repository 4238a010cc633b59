/** Injection tokens every bus service can rely on. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const OUTBOX = Symbol('OUTBOX');
