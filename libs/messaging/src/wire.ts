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

  /**
   * A request's subject on the wire: `rpc.<caller>.<subject>`. The caller's NATS user may publish
   * only under its own name (and only the subjects the permission table grants it), so the
   * receiver reads who sent a request from the subject, not from anything the sender wrote.
   */
  rpcSubject(caller: string, subject: string): string {
    return this.subject(`rpc.${caller}.${subject}`);
  }

  /** What a service subscribes to for one of its subjects: requests from any caller. */
  rpcPattern(subject: string): string {
    return this.subject(`rpc.*.${subject}`);
  }

  /** The caller named in a request's wire subject. */
  rpcCaller(wireSubject: string): string | undefined {
    const subject = this.strip(wireSubject);
    if (!subject.startsWith('rpc.')) return undefined;
    const end = subject.indexOf('.', 4);
    return end > 4 ? subject.slice(4, end) : undefined;
  }

  get streamName(): string {
    return this.prefix ? `${this.prefix}_EVENTS` : 'EVENTS';
  }

  durableName(service: string, eventSubject: string): string {
    return `${service}--${eventSubject.replace(/[.*>]/g, '_')}`;
  }
}
