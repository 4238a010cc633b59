import { AppError, type ErrorBody, ErrorCode, isErrorCode } from '#contracts';

/** A reply on the bus: data, or a typed error that the caller rethrows as the same AppError. */
export type WireReply<T = unknown> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export const REQUEST_ID_HEADER = 'x-request-id';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value ?? null));
}

export function decodeJson(bytes: Uint8Array): unknown {
  return bytes.length === 0 ? null : JSON.parse(decoder.decode(bytes));
}

export function unwrapReply<T>(reply: unknown, subject: string): T {
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) {
    const r = reply as WireReply<T>;
    if (r.ok) return r.data;
    if (typeof r.error === 'object' && r.error !== null && isErrorCode(r.error.code)) throw AppError.fromBody(r.error);
  }
  throw new AppError(ErrorCode.INTERNAL, `malformed reply on ${subject}`);
}

/** Subjects and stream names carry the deployment's namespace, so two deployments share one NATS. */
export class Namespace {
  constructor(private readonly prefix: string) {}

  subject(subject: string): string {
    return this.prefix ? `${this.prefix}.${subject}` : subject;
  }

  /** The subject as contracts name it, for a namespaced subject that arrived on the wire. */
  strip(subject: string): string {
    return this.prefix && subject.startsWith(`${this.prefix}.`) ? subject.slice(this.prefix.length + 1) : subject;
  }

  get streamName(): string {
    return this.prefix ? `${this.prefix}_EVENTS` : 'EVENTS';
  }

  durableName(service: string, eventSubject: string): string {
    return `${service}--${eventSubject.replace(/[.*>]/g, '_')}`;
  }
}
