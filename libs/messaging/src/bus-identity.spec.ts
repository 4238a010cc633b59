import { ErrorCode, serviceActor } from '#contracts';
import { callerOf, checkCaller } from './bus-identity.js';

const USER = { kind: 'user' as const, userId: '0190f5d2-7c1a-7b3e-9a4d-2f6c8e1b5a70' };

describe('callerOf', () => {
  it('is the bound identity whatever the actor says', () => {
    expect(callerOf('agent', serviceActor('execution'), 'identity.provider-keys.reveal')).toBe('agent');
    expect(callerOf('gateway', USER, 'agent.agents.get')).toBe('gateway');
  });

  it('unbound: the service an actor names, the gateway for a user, or the app that calls the subject for a user', () => {
    expect(callerOf(undefined, serviceActor('execution'), 'identity.provider-keys.reveal')).toBe('execution');
    expect(callerOf(undefined, USER, 'agent.agents.get')).toBe('gateway');
    expect(callerOf(undefined, USER, 'workflow.workflows.resolve')).toBe('execution');
    expect(callerOf(undefined, { kind: 'service', service: 'bad name.>' }, 'agent.agents.get')).toBe('unnamed');
  });
});

describe('checkCaller (what every receiver checks)', () => {
  it('passes a granted caller acting as itself or for a user', () => {
    expect(checkCaller('execution', 'identity.provider-keys.reveal', serviceActor('execution'))).toBeUndefined();
    expect(checkCaller('gateway', 'agent.agents.get', USER)).toBeUndefined();
  });

  it('refuses a caller the table does not grant the subject, whoever the envelope claims to be', () => {
    for (const caller of ['agent', 'gateway', 'conversation', 'nobody', undefined]) {
      const err = checkCaller(caller, 'identity.provider-keys.reveal', serviceActor('execution'));
      expect([caller, err?.code]).toEqual([caller, ErrorCode.FORBIDDEN]);
    }
  });

  it('refuses a granted caller that claims to be another service', () => {
    const err = checkCaller('gateway', 'agent.agents.get', serviceActor('execution'));
    expect(err?.code).toBe(ErrorCode.FORBIDDEN);
    expect(err?.message).toBe('a request from the gateway may not act as the execution service');
  });
});
