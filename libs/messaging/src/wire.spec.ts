import { AppError, ErrorCode } from '#contracts';
import { decodeJson, encodeJson, Namespace, unwrapReply } from './wire.js';

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError to be thrown');
}

describe('Namespace', () => {
  const ns = new Namespace('acme');
  const bare = new Namespace('');

  it('prefixes subjects with the namespace, and leaves them as they are without one', () => {
    expect(ns.subject('identity.auth.login')).toBe('acme.identity.auth.login');
    expect(bare.subject('identity.auth.login')).toBe('identity.auth.login');
  });

  it('strips its own prefix from a subject that arrived on the wire', () => {
    expect(ns.strip('acme.events.identity.user.deleted')).toBe('events.identity.user.deleted');
    expect(ns.strip(ns.subject('identity.auth.login'))).toBe('identity.auth.login');
  });

  it('leaves a subject alone when it does not start with the namespace as a whole token', () => {
    expect(ns.strip('acmecorp.identity.auth.login')).toBe('acmecorp.identity.auth.login');
    expect(ns.strip('other.acme.identity')).toBe('other.acme.identity');
    expect(bare.strip('acme.identity.auth.login')).toBe('acme.identity.auth.login');
  });

  it('puts the caller in a request\'s subject, and reads it back only from a request subject', () => {
    expect(ns.rpcSubject('execution', 'identity.provider-keys.reveal')).toBe('acme.rpc.execution.identity.provider-keys.reveal');
    expect(bare.rpcPattern('identity.provider-keys.reveal')).toBe('rpc.*.identity.provider-keys.reveal');
    expect(ns.rpcCaller('acme.rpc.execution.identity.provider-keys.reveal')).toBe('execution');
    expect(bare.rpcCaller('rpc.gateway.agent.agents.get')).toBe('gateway');
    expect(bare.rpcCaller('agent.agents.get')).toBeUndefined();
    expect(bare.rpcCaller('rpc.')).toBeUndefined();
  });

  it('names one events stream per namespace', () => {
    expect(ns.streamName).toBe('acme_EVENTS');
    expect(bare.streamName).toBe('EVENTS');
    expect(new Namespace('other').streamName).not.toBe(ns.streamName);
  });

  it('names a durable consumer after the service and the event subject, with only characters NATS allows', () => {
    expect(ns.durableName('agent', 'events.identity.user.deleted')).toBe('agent--events_identity_user_deleted');
    expect(ns.durableName('agent', 'events.identity.*.>')).toBe('agent--events_identity____');
    expect(ns.durableName('agent', 'events.identity.user.deleted')).not.toBe(ns.durableName('workflow', 'events.identity.user.deleted'));
  });
});

describe('unwrapReply', () => {
  it('returns the data of a successful reply, including falsy data', () => {
    expect(unwrapReply({ ok: true, data: { id: 'x', tags: ['a'] } }, 's.a.b')).toEqual({ id: 'x', tags: ['a'] });
    expect(unwrapReply({ ok: true, data: null }, 's.a.b')).toBeNull();
    expect(unwrapReply({ ok: true, data: 0 }, 's.a.b')).toBe(0);
    expect(unwrapReply({ ok: true, data: false }, 's.a.b')).toBe(false);
  });

  it('throws the AppError an error reply describes, with its code, message and details', () => {
    const err = thrown(() => unwrapReply({ ok: false, error: { code: 'CONFLICT', message: 'email taken', details: { field: 'email' } } }, 'identity.auth.register'));

    expect(err.code).toBe(ErrorCode.CONFLICT);
    expect(err.message).toBe('email taken');
    expect(err.details).toEqual({ field: 'email' });
  });

  it('throws INTERNAL "malformed reply" naming the subject for a reply that is not a reply', () => {
    for (const reply of [null, undefined, 'ok', 42, [], { data: 1 }, { ok: false }, { ok: false, error: 'boom' }, { ok: false, error: { code: 'NOT_A_CODE', message: 'x' } }]) {
      const err = thrown(() => unwrapReply(reply, 'identity.auth.login'));
      expect(err.code).toBe(ErrorCode.INTERNAL);
      expect(err.message).toBe('malformed reply on identity.auth.login');
    }
  });
});

describe('encodeJson / decodeJson', () => {
  it('round-trips a value as JSON, turning a Date into its ISO string', () => {
    const at = new Date('2030-01-02T03:04:05.678Z');
    expect(decodeJson(encodeJson({ at, n: 1, s: 'é' }))).toEqual({ at: '2030-01-02T03:04:05.678Z', n: 1, s: 'é' });
  });

  it('encodes undefined as null, and decodes an empty message as null', () => {
    expect(new TextDecoder().decode(encodeJson(undefined))).toBe('null');
    expect(decodeJson(new Uint8Array())).toBeNull();
  });

  it('throws on bytes that are not JSON', () => {
    expect(() => decodeJson(new TextEncoder().encode('not json'))).toThrow(SyntaxError);
  });
});
