import { readFileSync } from 'node:fs';
import { BUS_IDENTITIES } from '#contracts';
import { natsAuthorizationConfig, natsUserPermissions } from './nats-permissions.js';

const REVEAL = 'identity.provider-keys.reveal';

describe('the NATS users generated from the bus permission table', () => {
  it('is what k8s/base/nats/bus-users.conf holds (run npm run nats-config after changing the table)', () => {
    const committed = readFileSync(new URL('../../../k8s/base/nats/bus-users.conf', import.meta.url), 'utf8');
    expect(committed).toBe(natsAuthorizationConfig());
  });

  it('lets only execution publish a reveal, and only under its own name', () => {
    for (const identity of BUS_IDENTITIES) {
      const reveals = natsUserPermissions(identity).publish.filter((subject) => subject.endsWith(REVEAL) || subject.includes('*') || subject.startsWith('rpc.>'));
      expect([identity, reveals]).toEqual([identity, identity === 'execution' ? [`rpc.execution.${REVEAL}`] : []]);
    }
  });

  it('gives each app its own inbox, and its own requests, events and broadcasts only', () => {
    const agent = natsUserPermissions('agent');
    expect(agent.subscribe).toEqual(['_INBOX.agent.>', 'rpc.*.agent.>', 'agent.>']);
    expect(agent.publish.every((s) => s.startsWith('rpc.agent.') || s.startsWith('events.agent.') || s === 'agent.>' || s.startsWith('$JS.'))).toBe(true);
    expect(agent.publish).toContain('$JS.API.CONSUMER.CREATE.EVENTS.agent--events_identity_user_deleted.events.identity.user.deleted');
  });

  it('lets no app change or delete the events stream, nor read it but through its own consumers', () => {
    for (const identity of BUS_IDENTITIES) {
      const js = natsUserPermissions(identity).publish.filter((s) => s.startsWith('$JS.'));
      expect(js.filter((s) => /STREAM\.(UPDATE|DELETE|PURGE|MSG)|DIRECT|CONSUMER\.DELETE|\*|>$/.test(s) && !s.startsWith('$JS.ACK.'))).toEqual([]);
      expect(js.filter((s) => s.includes('CONSUMER') || s.startsWith('$JS.ACK.')).every((s) => s.includes(`.${identity}--`))).toBe(true);
    }
  });

  it("gives the gateway requests, its inbox, identity's credential broadcasts and runs' live events only: no events, no stream, no broadcasting", () => {
    const gateway = natsUserPermissions('gateway');
    expect(gateway.subscribe).toEqual(['_INBOX.gateway.>', 'identity.credentials.changed', 'identity.request-budget.spent', 'execution.run-events.*.*']);
    expect(natsUserPermissions('gateway', 'acme').subscribe).toEqual(['_INBOX.gateway.>', 'acme.identity.credentials.changed', 'acme.identity.request-budget.spent', 'acme.execution.run-events.*.*']);
    // No other app hears those: they are identity's, and the gateway's cache is their one listener.
    expect(natsUserPermissions('agent').subscribe.filter((s) => s.startsWith('identity.'))).toEqual([]);
    expect(gateway.publish.every((s) => s.startsWith('rpc.gateway.'))).toBe(true);
  });

  it('prefixes every subject and the stream with the bus namespace', () => {
    const execution = natsUserPermissions('execution', 'acme');
    expect(execution.publish).toContain(`acme.rpc.execution.${REVEAL}`);
    expect(execution.publish).toContain('acme.events.execution.>');
    expect(execution.publish).toContain('$JS.API.STREAM.CREATE.acme_EVENTS');
    expect(execution.subscribe).toContain('acme.rpc.*.execution.>');
    expect(natsAuthorizationConfig({ namespace: 'acme' })).toContain('password: $NATS_PASSWORD_EXECUTION');
  });
});
