import { type Actor, AppError, BUS_IDENTITIES, ErrorCode, mayCall } from '#contracts';

/** A caller's name is one NATS subject token: it sits in the subject of every request it sends. */
const CALLER = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Who sends a request. A client bound to an identity (each app's) always sends as it. An unbound
 * client (tests and tools that play several callers) sends as the service its actor names; for a
 * user or anonymous actor, as the gateway, or else as the first app that may call the subject on
 * a user's behalf (a test of a service-to-service subject).
 */
export function callerOf(bound: string | undefined, actor: Actor, subject: string): string {
  if (bound !== undefined) return bound;
  if (actor?.kind === 'service') return typeof actor.service === 'string' && CALLER.test(actor.service) ? actor.service : 'unnamed';
  return mayCall('gateway', subject) ? 'gateway' : (BUS_IDENTITIES.find((identity) => mayCall(identity, subject)) ?? 'gateway');
}

export function assertCallerName(caller: string): void {
  if (!CALLER.test(caller)) throw new Error(`"${caller}" cannot name a bus caller: letters, digits, "_" and "-" only`);
}

export function notPermitted(caller: string, subject: string): AppError {
  return new AppError(ErrorCode.FORBIDDEN, `the ${caller} may not call ${subject} (not in the bus permission table)`);
}

/**
 * What the receiver checks on every request, whatever the transport: the caller (from the
 * credential-bound subject on NATS, from the client in process) may call the subject, and an
 * actor that claims to be a service is that caller. A service can therefore never act as another.
 */
export function checkCaller(caller: string | undefined, subject: string, actor: Actor | undefined): AppError | undefined {
  if (caller === undefined || !mayCall(caller, subject)) return notPermitted(caller ?? 'unnamed caller', subject);
  if (actor?.kind === 'service' && actor.service !== caller) {
    return new AppError(ErrorCode.FORBIDDEN, `a request from the ${caller} may not act as the ${String(actor.service)} service`);
  }
  return undefined;
}
