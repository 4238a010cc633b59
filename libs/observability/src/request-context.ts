import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface RequestContextState {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContextState>();

/** Carries the request id through every await, so log lines and outgoing bus requests share it. */
export const RequestContext = {
  run<T>(requestId: string, fn: () => T): T {
    return storage.run({ requestId }, fn);
  },
  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
  newId(): string {
    return randomUUID();
  },
};

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Client-supplied ids are accepted only when they are short and harmless in a log line. */
export function acceptRequestId(candidate: unknown): string {
  return typeof candidate === 'string' && REQUEST_ID_PATTERN.test(candidate) ? candidate : RequestContext.newId();
}
