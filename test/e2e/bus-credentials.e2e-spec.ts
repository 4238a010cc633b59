import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { AccountContracts, BUS_IDENTITIES, type BusIdentity, serviceActor } from '#contracts';
import { decodeJson, encodeJson, Namespace, natsAuthorizationConfig, natsPasswordVariable } from '#messaging';
import { Cluster, createTestDatabase, FakeOpenAiServer, query, registerUser, type TestUser, uniqueNamespace } from '#testing';
import { eventually } from './support/waits.js';

const NATS_SERVER = '/usr/sbin/nats-server';
const REVEAL = AccountContracts.revealProviderKey.subject;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A nats-server of this spec's own (the shared one has no users), with the generated users and permissions. */
class OwnNatsServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    readonly output: { text: string },
  ) {}

  static async start(config: string, env: Record<string, string>): Promise<OwnNatsServer> {
    const dir = mkdtempSync(join(tmpdir(), 'bus-credentials-'));
    writeFileSync(join(dir, 'bus-users.conf'), config);
    const port = await freePort();
    const child = spawn(NATS_SERVER, ['-c', join(dir, 'bus-users.conf'), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
    const server = new OwnNatsServer(child, dir, `nats://127.0.0.1:${port}`, output);
    await eventually(
      async () => output.text,
      (text) => text.includes('Server is ready') || child.exitCode !== null,
      20_000,
    );
    if (!output.text.includes('Server is ready')) throw new Error(`nats-server did not start:\n${output.text}`);
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Per-app credentials on NATS, end to end: the spec starts its own nats-server with the users and
 * permissions generated from the bus permission table, runs every app with its own NATS_USER and
 * NATS_PASSWORD, shows the platform works (a run that needs a revealed provider key, and account
 * deletion reaching every service through JetStream consumers), and that a client with no
 * credentials, a wrong password, or another app's credentials cannot get a provider key revealed.
 */
describe('bus credentials: every app its own NATS user, on a nats-server with the generated permissions', () => {
  const namespace = uniqueNamespace('creds');
  const ns = new Namespace(namespace);
  const passwords = Object.fromEntries(BUS_IDENTITIES.map((identity) => [identity, `p${randomBytes(18).toString('hex')}`])) as Record<BusIdentity, string>;
  let nats: OwnNatsServer;
  let fake: FakeOpenAiServer;
  let cluster: Cluster;
  let databaseUrl: string;
  let owner: TestUser;
  const userKey = `sk-user-${randomBytes(12).toString('hex')}`;
  const opened: NatsConnection[] = [];

  const connectAs = async (identity: BusIdentity, password = passwords[identity]): Promise<NatsConnection> => {
    const nc = await connect({ servers: nats.url, user: identity, pass: password, inboxPrefix: `_INBOX.${identity}`, reconnect: false });
    opened.push(nc);
    return nc;
  };
  /** A reveal request for the owner's key, sent as `caller` on the wire, claiming to be execution in the envelope. */
  const askReveal = (nc: NatsConnection, caller: string) =>
    nc.request(ns.rpcSubject(caller, REVEAL), encodeJson({ actor: serviceActor('execution'), requestId: `reveal-${caller}`, data: { userId: owner.id, provider: 'openai' } }), { timeout: 3000 });
  /** What a request ended with: the reply's data, or the error's text. */
  const outcome = (request: Promise<{ data: Uint8Array }>): Promise<string> =>
    request.then(
      (msg) => JSON.stringify(decodeJson(msg.data)),
      (err: unknown) => `refused: ${String(err)}`,
    );

  beforeAll(async () => {
    const env = Object.fromEntries(BUS_IDENTITIES.map((identity) => [natsPasswordVariable(identity), passwords[identity]]));
    nats = await OwnNatsServer.start(natsAuthorizationConfig({ namespace }), env);
    fake = await FakeOpenAiServer.start();
    databaseUrl = await createTestDatabase('buscreds');
    const perApp = {} as Record<BusIdentity, Record<string, string>>;
    for (const identity of BUS_IDENTITIES) perApp[identity] = { NATS_USER: identity, NATS_PASSWORD: passwords[identity] };
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: nats.url,
      namespace,
      perApp: {
        ...perApp,
        identity: { ...perApp.identity, ENCRYPTION_KEYS: `creds:${randomBytes(32).toString('base64')}` },
        execution: { ...perApp.execution, OPENAI_BASE_URL: fake.baseUrl, EXECUTION_POLL_MS: '300' },
      },
    });
    owner = await registerUser(cluster.api);
    const put = await cluster.api.request('PUT', '/api/v1/settings/provider-keys/openai', { body: { apiKey: userKey }, token: owner.accessToken });
    expect(put.status).toBe(200);
  });

  afterAll(async () => {
    for (const nc of opened) await nc.close().catch(() => undefined);
    await cluster?.stop();
    await fake?.stop();
    await nats?.stop();
  });

  it('works with every app on its own credentials: a run that needs the user\'s revealed key, and account deletion through the event stream', async () => {
    const agent = await cluster.api.request('POST', '/api/v1/agents', {
      body: { name: 'Helper', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Be brief.' },
      token: owner.accessToken,
    });
    expect(agent.status).toBe(201);
    fake.replyText('Hello from the fake model.');
    const run = await cluster.api.request('POST', `/api/v1/agents/${agent.body.id as string}/runs`, { body: { input: 'Hi' }, token: owner.accessToken });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ status: 'completed', output: { content: 'Hello from the fake model.' } });
    // execution asked identity to reveal the user's key (its permission) and called the model with it.
    expect(fake.completions.at(-1)?.headers.authorization).toBe(`Bearer ${userKey}`);

    // Account deletion: identity publishes the event, agent (among others) consumes it through its durable consumer.
    const leaving = await registerUser(cluster.api);
    const theirs = await cluster.api.request('POST', '/api/v1/agents', { body: { name: 'Doomed', modelProvider: 'openai', modelName: 'gpt-4o-mini' }, token: leaving.accessToken });
    expect(theirs.status).toBe(201);
    expect((await cluster.api.delete('/api/v1/me', leaving.accessToken)).status).toBe(204);
    const left = await eventually(
      () => query(databaseUrl, 'SELECT 1 FROM agent.agents WHERE owner_id = $1', [leaving.id]),
      (rows) => rows.length === 0,
      30_000,
    );
    expect(left).toHaveLength(0);
    // Nothing any app did was refused by the server.
    expect(nats.output.text).not.toMatch(/Violation/);
  });

  it('reveals a key to the execution credentials (so the refusals below are the permissions, not a broken reveal)', async () => {
    const execution = await connectAs('execution');
    const reply = JSON.parse(await outcome(askReveal(execution, 'execution'))) as { ok: boolean; data: { apiKey: string } };
    expect(reply).toEqual({ ok: true, data: expect.objectContaining({ apiKey: userKey }) });
  });

  it('refuses a client with no credentials, or with a wrong password, before it can send anything', async () => {
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: nats.url, user: 'execution', pass: 'not-the-password', reconnect: false })).rejects.toThrow(/Authorization Violation/i);
  });

  it.each(['gateway', 'agent', 'conversation'] as const)('with the %s credentials, a reveal goes nowhere, whatever caller the subject or the envelope claims', async (identity) => {
    const nc = await connectAs(identity);
    for (const caller of [identity, 'execution']) {
      const result = await outcome(askReveal(nc, caller));
      expect(result).toMatch(/^refused: /);
      expect(result).not.toContain(userKey);
    }
    expect(nats.output.text).toContain(`Publish Violation - User "${identity}", Subject "${ns.rpcSubject(identity, REVEAL)}"`);
  });

  it('another app cannot listen in: neither to execution\'s replies nor to requests sent to identity', async () => {
    const agent = await connectAs('agent');
    const refusals: string[] = [];
    for (const subject of ['_INBOX.execution.>', ns.rpcPattern(REVEAL), ns.rpcPattern('identity.>')]) {
      const sub = agent.subscribe(subject, {
        callback: (err) => {
          if (err) refusals.push(`${subject}: ${String(err)}`);
        },
      });
      await agent.flush();
      await eventually(async () => sub.isClosed(), (closed) => closed, 3000);
      expect([subject, sub.isClosed()]).toEqual([subject, true]);
    }
    expect(refusals).toHaveLength(3);
    for (const refusal of refusals) expect(refusal).toMatch(/permission/i);
    // Nor make the events stream capture execution's inbox (and republish it where agent may listen).
    const jsm = await jetstreamManager(agent, { timeout: 3000 });
    const update = await jsm.streams.update(ns.streamName, { subjects: [ns.subject('events.>'), '_INBOX.execution.>'] }).then(
      () => 'updated',
      (err: unknown) => String(err),
    );
    expect(update).toMatch(/permission/i);
    await eventually(async () => nats.output.text, (text) => text.includes(`Subject "$JS.API.STREAM.UPDATE.${ns.streamName}"`), 3000);
    expect(nats.output.text).toContain(`Publish Violation - User "agent", Subject "$JS.API.STREAM.UPDATE.${ns.streamName}"`);
    // And execution still gets its key: nobody else took the request or the reply.
    const execution = await connectAs('execution');
    expect(await outcome(askReveal(execution, 'execution'))).toContain(userKey);
  });
});
