/** A class with a no-argument constructor: what class-transformer can instantiate. */
export type PayloadClass<T> = new () => T;

/**
 * One request/reply subject with the classes of both sides. The gateway and the service import
 * the same descriptor, so a subject string is written exactly once.
 */
export interface RpcContract<Req, Res> {
  readonly subject: string;
  readonly request: PayloadClass<Req>;
  /** Documentation and typing of the reply; replies are built by the owning service's mappers. */
  readonly reply?: PayloadClass<Res>;
}

export interface EventContract<T> {
  /** `events.<service>.<resource>.<past-tense>` */
  readonly subject: string;
  readonly payload: PayloadClass<T>;
}

export function rpc<Req, Res>(subject: string, request: PayloadClass<Req>, reply?: PayloadClass<Res>): RpcContract<Req, Res> {
  return { subject, request, reply };
}

export function event<T>(subject: string, payload: PayloadClass<T>): EventContract<T> {
  return { subject, payload };
}

/** An empty request body (for queries that need only the actor). */
export class Empty {}
