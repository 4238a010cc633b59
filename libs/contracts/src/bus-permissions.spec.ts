import { AccountContracts } from './identity/index.js';
import { BUS_IDENTITIES, BUS_PERMISSIONS, mayBroadcast, mayCall, mayConsume, mayHear, mayPublishEvent, mayServe, subjectMatches, subjectOwner } from './bus-permissions.js';
import { SERVICE_NAMES } from './common/services.js';

const callers = (subject: string) => BUS_IDENTITIES.filter((identity) => BUS_PERMISSIONS[identity].calls.some((c) => c.subject === subject));

/** Subjects a service reserves for another service (requireService and the like): never the gateway's. */
const SERVICE_ONLY = [
  'identity.provider-keys.reveal',
  'conversation.runs.append-messages',
  'conversation.runs.append-user-message',
  'conversation.memory.get',
  'conversation.memory.write-summary',
  'execution.embeddings.create',
  'execution.runs.start-for-owner',
  'execution.runs.get-for-owner',
  'integration.tool-calls.call',
  'integration.tool-calls.resolve',
  'integration.tool-refs.check',
  'integration.oauth.auth-urls',
  'agent.agents.resolve',
  'agent.knowledge-bases.find-owned',
  'workflow.workflows.resolve',
];

describe('the bus permission table', () => {
  it('has an entry for the gateway and every service', () => {
    expect(Object.keys(BUS_PERMISSIONS).sort()).toEqual(['gateway', ...SERVICE_NAMES].sort());
  });

  it('lets only execution call identity.provider-keys.reveal', () => {
    expect(callers(AccountContracts.revealProviderKey.subject)).toEqual(['execution']);
    expect(mayCall('execution', 'identity.provider-keys.reveal')).toBe(true);
    for (const other of ['gateway', 'identity', 'agent', 'workflow', 'conversation', 'integration', 'no-such-app']) expect([other, mayCall(other, 'identity.provider-keys.reveal')]).toEqual([other, false]);
  });

  it('gives the gateway no subject that services keep for each other', () => {
    const gateway = BUS_PERMISSIONS.gateway.calls.map((c) => c.subject);
    expect(gateway.filter((subject) => SERVICE_ONLY.includes(subject))).toEqual([]);
    for (const subject of SERVICE_ONLY) expect([subject, callers(subject).length]).not.toEqual([subject, 0]);
  });

  it('grants only calls to another service of ours, each once, and only other services\' events', () => {
    for (const identity of BUS_IDENTITIES) {
      const subjects = BUS_PERMISSIONS[identity].calls.map((c) => c.subject);
      expect(new Set(subjects).size).toBe(subjects.length);
      for (const subject of subjects) expect([identity, subject, subjectOwner(subject) !== undefined && subjectOwner(subject) !== identity]).toEqual([identity, subject, true]);
      for (const event of BUS_PERMISSIONS[identity].consumes) expect([identity, event.subject.startsWith('events.') && !event.subject.startsWith(`events.${identity}.`)]).toEqual([identity, true]);
    }
  });

  it('lets a service answer, publish and broadcast only its own subjects, and consume only what it is granted', () => {
    expect(mayServe('identity', 'identity.provider-keys.reveal')).toBe(true);
    expect(mayServe('agent', 'identity.provider-keys.reveal')).toBe(false);
    expect(mayServe('gateway', 'agent.agents.get')).toBe(false);
    expect(mayPublishEvent('identity', 'events.identity.user.deleted')).toBe(true);
    expect(mayPublishEvent('agent', 'events.identity.user.deleted')).toBe(false);
    expect(mayBroadcast('execution', 'execution.runs.wake')).toBe(true);
    expect(mayBroadcast('agent', 'execution.runs.wake')).toBe(false);
    expect(mayConsume('agent', 'events.identity.user.deleted')).toBe(true);
    expect(mayConsume('identity', 'events.identity.user.deleted')).toBe(false);
  });

  it('leaves subjects of no service of ours (a test\'s own) to their owner, but never lets an unknown caller call ours', () => {
    expect(mayCall('anyone', 'testsvc.things.echo')).toBe(true);
    expect(mayServe('testsvc', 'testsvc.things.echo')).toBe(true);
    expect(mayServe('testsvc', 'identity.auth.login')).toBe(false);
    expect(mayCall('testsvc', 'identity.auth.login')).toBe(false);
  });

  it("lets the gateway hear runs' live events, per user or per run, and no other service's broadcasts", () => {
    expect(mayHear('gateway', 'execution.run-events.u1.r1')).toBe(true);
    expect(mayHear('gateway', 'execution.run-events.u1.*')).toBe(true);
    expect(mayHear('gateway', 'execution.run-events.u1')).toBe(false);
    expect(mayHear('gateway', 'execution.run-events.u1.r1.x')).toBe(false);
    expect(mayHear('gateway', 'execution.runs.events')).toBe(false);
    expect(mayHear('agent', 'execution.run-events.u1.r1')).toBe(false);
  });

  it('matches subjects as NATS does: * for one token, a last > for one or more', () => {
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.d')).toBe(false);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b')).toBe(true);
  });
});
