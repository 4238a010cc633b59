import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import { AccountContracts, type Actor, AppError, ErrorCode, type RevealedProviderKey, type RevealProviderKeyRequest, serviceActor } from '#contracts';
import { decodeJson, encodeJson, InProcessBus, Namespace, Rpc, unwrapReply } from '#messaging';
import { type RunningService, Runtime, startBusService } from '#service-kit';
import { createTestDatabase, testEnv, uniqueNamespace } from '#testing';
import { appErrorOf, schemaMigration, testConfig, TRANSPORTS } from './support.js';

const REVEAL = AccountContracts.revealProviderKey;
const SECRET = 'sk-the-users-real-key-0000';
let reveals = 0;

/** Stands in for identity's reveal: answers to anyone the bus lets through. */
@Controller()
class FakeRevealHandler {
  @Rpc(REVEAL)
  async reveal(req: RevealProviderKeyRequest, _actor: Actor): Promise<RevealedProviderKey> {
    reveals += 1;
    return { provider: req.provider, apiKey: SECRET };
  }
}

@Module({ controllers: [FakeRevealHandler] })
class FakeIdentityModule {}

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await createTestDatabase('buspermissions');
});

describe.each(TRANSPORTS)('the bus permission table over the %s transport', (kind) => {
  const busNamespace = uniqueNamespace(`perm${kind}`);
  let runtime: Runtime;
  let identity: RunningService;
  const request = { userId: '0190f5d2-7c1a-7b3e-9a4d-2f6c8e1b5a70', provider: 'openai' } as RevealProviderKeyRequest;

  beforeAll(async () => {
    runtime = await Runtime.create(testConfig(kind, { databaseUrl, busNamespace }), 'permissions-spec');
    identity = await startBusService({ name: 'identity', module: FakeIdentityModule, entities: [], migrations: [schemaMigration('identity', 1763999100000)] }, runtime);
  });

  afterAll(async () => {
    await identity?.close();
    await runtime?.close();
  });

  it("answers execution's client", async () => {
    expect(await runtime.clientFor('execution').request(REVEAL, request, { actor: serviceActor('execution') })).toEqual({ provider: 'openai', apiKey: SECRET });
  });

  it.each(['gateway', 'agent', 'conversation', 'workflow'])("refuses the %s's client at once, whatever actor it sends, and the handler never runs", async (caller) => {
    const before = reveals;
    for (const actor of [serviceActor('execution'), serviceActor(caller)]) {
      const err = await appErrorOf(runtime.clientFor(caller).request(REVEAL, request, { actor }));
      expect(err.code).toBe(ErrorCode.FORBIDDEN);
      expect(err.message).toBe(`the ${caller} may not call identity.provider-keys.reveal (not in the bus permission table)`);
    }
    expect(reveals).toBe(before);
  });

  it('the receiver refuses a request whose transport caller is not granted, or that claims another service', async () => {
    const before = reveals;
    const envelope = { actor: serviceActor('execution'), requestId: 'forged', data: request };
    const ask = async (caller: string): Promise<AppError> => {
      if (kind === 'in-process') {
        // Straight to the responder, past the client's own check: what a forged message would meet.
        const responder = InProcessBus.shared().nextResponder(REVEAL.subject);
        return appErrorOf(Promise.resolve(responder?.(envelope, caller)).then((reply) => unwrapReply(reply, REVEAL.subject)));
      }
      // A raw client on the unauthenticated NATS, writing whatever it likes into the subject.
      const nc = await connect({ servers: testEnv().natsUrl, name: 'permissions-spec-forger' });
      try {
        const msg = await nc.request(new Namespace(busNamespace).rpcSubject(caller, REVEAL.subject), encodeJson(envelope), { timeout: 3000 });
        return appErrorOf(Promise.resolve().then(() => unwrapReply(decodeJson(msg.data), REVEAL.subject)));
      } finally {
        await nc.close();
      }
    };
    expect((await ask('agent')).code).toBe(ErrorCode.FORBIDDEN);
    expect((await ask('gateway')).code).toBe(ErrorCode.FORBIDDEN);
    expect(reveals).toBe(before);
  });

  it('refuses to start a service with a handler the table does not grant it', async () => {
    const agentRuntime = await Runtime.create(testConfig(kind, { databaseUrl, busNamespace }), 'permissions-spec-agent');
    try {
      await expect(
        startBusService({ name: 'agent', module: FakeIdentityModule, entities: [], migrations: [schemaMigration('agent', 1763999100001)] }, agentRuntime),
      ).rejects.toThrow('the bus permission table does not let the agent service answer identity.provider-keys.reveal');
    } finally {
      await agentRuntime.close();
    }
  });
});
