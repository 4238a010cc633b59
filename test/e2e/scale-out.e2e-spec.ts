import { type ApiClient, type ApiResponse, Cluster, createTestDatabase, FakeOpenAiServer, query, type RecordedRequest, registerUser, type TestUser, testEnv, uniqueNamespace } from '#testing';
import { eventually } from './support/waits.js';

/**
 * The platform scaled out as in production: two processes of every app (gateway included) over one
 * NATS and one PostgreSQL, under 200 runs at once. Requests and runs are shared across replicas;
 * every run executes exactly once (counted at the fake model); a kill -9 of one replica of every
 * app mid-load loses no run and doubles none; a rolling restart of every app under load gives the
 * client nothing worse than a 503 with Retry-After.
 *
 * The client behaves as a client behind a load balancer does: it spreads requests over the
 * gateways it knows, sends an Idempotency-Key with every run, and retries on a dropped connection,
 * a 503 (after its Retry-After) or a 504.
 */
const RUNS = 200;
/** Runs come from many users, as in production: one user's run starts are serialized (their active-run cap). */
const USERS = 40;
const APPS = ['gateway', 'identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'] as const;
const FINAL = ['completed', 'failed', 'cancelled', 'expired'];
/** Generous: the machine may be shared; nothing here asserts a duration. */
const PHASE_TIMEOUT_MS = 360_000;
const say = (line: string) => process.stdout.write(`scale-out: ${line}\n`);

describe('scale-out: two replicas of every app', () => {
  let cluster: Cluster;
  let fake: FakeOpenAiServer;
  const users: Array<{ user: TestUser; agentId: string }> = [];
  /** Whose run each id is, to read it back through the API. */
  const tokenOf = new Map<string, string>();
  let databaseUrl: string;
  /** The gateways a load balancer would route to now. */
  let gateways: ApiClient[] = [];

  /** The task marker of a model call: the run's input is `task <marker>`. */
  const markerOf = (request: RecordedRequest): string | undefined => {
    const messages = (request.body?.messages ?? []) as Array<{ role: string; content: unknown }>;
    const user = messages.filter((m) => m.role === 'user').at(-1);
    return typeof user?.content === 'string' ? /task (\S+)/.exec(user.content)?.[1] : undefined;
  };
  const finishedCalls = (marker: string) => fake.completions.filter((r) => markerOf(r) === marker && r.finished).length;

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
    // Each run is one model call that streams for a little while, so kills and restarts land mid-run.
    fake.setDefaultReply((request) => ({ kind: 'text', text: ['answer ', 'to ', `${markerOf(request) ?? '?'}`], chunkDelayMs: 150 }));
    databaseUrl = await createTestDatabase('scaleout');
    cluster = await Cluster.start({
      databaseUrl,
      natsUrl: testEnv().natsUrl,
      namespace: uniqueNamespace('scaleout'),
      replicas: 2,
      readyTimeoutMs: 180_000,
      env: { REQUEST_TIMEOUT_MS: '8000', RATE_LIMIT_USER_PER_MINUTE: '0', LOG_LEVEL: 'info' },
      // Services log each request they handle at debug (the gateway's access line is the info one):
      // debug on the request path, so the test can see that both replicas of each answered.
      perApp: {
        identity: { LOG_LEVEL: 'debug' },
        agent: { LOG_LEVEL: 'debug' },
        execution: {
          LOG_LEVEL: 'debug',
          OPENAI_BASE_URL: fake.baseUrl,
          OPENAI_API_KEY: 'sk-test',
          EXECUTION_MAX_ACTIVE_RUNS_PER_USER: '10000',
          // Short enough that a killed worker's runs are taken over soon, long enough that a
          // heartbeat late on a busy machine does not lose a live worker its runs.
          EXECUTION_LEASE_MS: '8000',
          EXECUTION_HEARTBEAT_MS: '1000',
          EXECUTION_POLL_MS: '200',
          EXECUTION_MAX_ATTEMPTS: '10',
          EXECUTION_RETRY_DELAY_MS: '200',
        },
      },
    });
    gateways = cluster.replicas('gateway').map((g) => cluster.gatewayApi(g));
    // A few at a time (a password hash is costly by design), retried as a client would.
    for (let batch = 0; batch < USERS; batch += 5) {
      const made = await Promise.all(
        Array.from({ length: 5 }, async (_, k) => {
          const api = gateways[(batch + k) % gateways.length];
          const user = await retried(() => registerUser(api));
          const agent = await retried(async () => {
            const res = await api.post('/api/v1/agents', { name: 'Scale', modelProvider: 'openai', modelName: 'gpt-4o-mini', systemPrompt: 'Answer.' }, user.accessToken);
            if (res.status !== 201) throw new Error(`agent: ${res.status} ${res.text}`);
            return res;
          });
          return { user, agentId: agent.body.id as string };
        }),
      );
      users.push(...made);
    }
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await fake?.stop();
  });

  /** Every HTTP answer the client got, and the connections that dropped, per phase. */
  type Seen = { statuses: Array<{ status: number; retryAfter: string | null; code?: string }>; dropped: number };

  /** Starts one run as a careful client does; resolves with its id once a gateway accepted it. */
  async function startRun(marker: string, seen: Seen, turn: number): Promise<string> {
    const { user, agentId } = users[turn % users.length];
    for (let attempt = 0; attempt < 400; attempt++) {
      const api = gateways[(turn + attempt) % gateways.length];
      let res: ApiResponse;
      try {
        res = await api.request('POST', `/api/v1/agents/${agentId}/runs?background=true`, { body: { input: `task ${marker}` }, token: user.accessToken, headers: { 'Idempotency-Key': marker } });
      } catch {
        seen.dropped += 1;
        continue;
      }
      seen.statuses.push({ status: res.status, retryAfter: res.headers.get('retry-after'), code: res.body?.code });
      if (res.status === 202) {
        tokenOf.set(res.body.id as string, user.accessToken);
        return res.body.id as string;
      }
      if (res.status !== 503 && res.status !== 504) throw new Error(`run ${marker}: ${res.status} ${res.text}`);
      if (attempt % 20 === 19) say(`run ${marker} still not accepted after ${attempt + 1} tries: ${res.status} ${res.text.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, res.status === 503 ? 200 : 50));
    }
    throw new Error(`run ${marker} was never accepted`);
  }

  type FinalRun = { id: string; status: string; attempt: number; content: string | null; error: string | null };

  /** Waits until every run is final (read from the database, which is cheaper than 200 GETs a round). */
  async function waitFinal(ids: string[]): Promise<FinalRun[]> {
    const rows = await eventually(
      () => query<FinalRun>(databaseUrl, `SELECT "id", "status", "attempt", "output"->>'content' AS "content", coalesce("error", "last_error")::text AS "error" FROM "execution"."runs" WHERE "id" = ANY($1)`, [ids]),
      (found) => found.length === ids.length && found.every((r) => FINAL.includes(r.status)),
      150_000,
      500,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    // The API says the same as the database (a sample: every GET costs a credential check).
    for (const id of ids.slice(0, 5)) {
      const res = await gateways[0].get(`/api/v1/runs/${id}`, tokenOf.get(id));
      expect({ status: res.body.status, attempt: res.body.attempt, content: res.body.output?.content ?? null }).toEqual({ status: byId.get(id)?.status, attempt: byId.get(id)?.attempt, content: byId.get(id)?.content });
    }
    return ids.map((id) => byId.get(id) as FinalRun);
  }

  /** Every run completed once with its own answer; a run that ran once called the model once. */
  function expectEachRunOnce(markers: string[], ids: string[], runs: FinalRun[]): void {
    expect(new Set(ids).size).toBe(markers.length);
    expect(runs.filter((r) => r.status !== 'completed').map((r) => `${r.id}: ${r.status} after ${r.attempt} attempts: ${r.error}`)).toEqual([]);
    expect(runs.filter((r, i) => r.content !== `answer to ${markers[i]}`).map((r) => r.id)).toEqual([]);
    for (const [i, run] of runs.entries()) {
      const calls = finishedCalls(markers[i]);
      // A run taken over from a killed worker may repeat the model call the worker died in.
      if (run.attempt === 1) expect([markers[i], calls]).toEqual([markers[i], 1]);
      else expect([markers[i], calls >= 1]).toEqual([markers[i], true]);
    }
  }

  /** Every run paid at most one finished model call per attempt, and every unfinished one was cut by its client; answers the calls beyond one per run. */
  function expectAtMostOneCallPerAttempt(markers: string[], runs: FinalRun[]): number {
    let extra = 0;
    for (const [i, run] of runs.entries()) {
      const calls = fake.completions.filter((r) => markerOf(r) === markers[i]);
      const finished = calls.filter((r) => r.finished).length;
      const streaming = calls.filter((r) => !r.finished && !r.clientDisconnected).length;
      expect({ marker: markers[i], finishedWithinAttempts: finished <= run.attempt, streaming }).toEqual({ marker: markers[i], finishedWithinAttempts: true, streaming: 0 });
      extra += calls.length - 1;
    }
    return extra;
  }

  /** How many rows the database holds for these markers: one run per Idempotency-Key. */
  async function runsInDatabase(markers: string[]): Promise<number> {
    const rows = await query<{ count: string }>(databaseUrl, `SELECT count(*) FROM "execution"."runs" WHERE "idempotency_key" = ANY($1)`, [markers]);
    return Number(rows[0].count);
  }

  it('shares 200 simultaneous runs across the replicas, and each runs exactly once', async () => {
    const markers = Array.from({ length: RUNS }, (_, i) => `a${i}`);
    const seen: Seen = { statuses: [], dropped: 0 };
    const owners = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rows = await query<{ lease_owner: string }>(databaseUrl, `SELECT DISTINCT "lease_owner" FROM "execution"."runs" WHERE "status" = 'running'`).catch(() => []);
        for (const row of rows) owners.add(row.lease_owner.split(':')[1]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = Date.now();
    const ids = await Promise.all(markers.map((m, i) => startRun(m, seen, i)));
    say(`${RUNS} runs accepted in ${Date.now() - t0} ms`);
    const runs = await waitFinal(ids);
    say(`${RUNS} runs final in ${Date.now() - t0} ms`);
    sampling = false;
    await sampler;

    expectEachRunOnce(markers, ids, runs);
    // Nothing is killed here, but a machine this loaded may fail an attempt (a bus or database
    // timeout) and the run is retried: each attempt may pay one model call, never more, and a call
    // left unfinished is one the platform cut (the client went away), not one still streaming.
    const extra = expectAtMostOneCallPerAttempt(markers, runs);
    const retried = runs.filter((r) => r.attempt > 1);
    say(`first phase: ${retried.length} runs retried, ${extra} model calls beyond one per run${retried.length > 0 ? `; last errors: ${retried.map((r) => r.error).join(' | ').slice(0, 1000)}` : ''}`);
    expect(await runsInDatabase(markers)).toBe(RUNS);
    // Both execution processes held runs.
    const executionPids = cluster.replicas('execution').map((p) => String(p.pid));
    expect([...owners].filter((pid) => executionPids.includes(pid)).sort()).toEqual([...executionPids].sort());
    // Both replicas of every service on the request path answered requests.
    for (const name of ['identity', 'agent', 'execution'] as const) {
      for (const replica of cluster.replicas(name)) expect([name, replica.pid, /"msg":"handled"/.test(replica.output)]).toEqual([name, replica.pid, true]);
    }
    // A busy machine may answer some starts 503 or 504; the client's retry with the same key got the same run.
    say(`first phase: answers ${JSON.stringify(count(seen))}, dropped connections ${seen.dropped}`);
  }, PHASE_TIMEOUT_MS);

  it('kill -9 of one replica of every app mid-load loses no run and doubles none', async () => {
    const markers = Array.from({ length: RUNS }, (_, i) => `b${i}`);
    const seen: Seen = { statuses: [], dropped: 0 };
    const callsBefore = fake.completions.length;
    const started = Promise.all(markers.map((m, i) => startRun(m, seen, i)));
    // Mid-load: runs are being started, and some are already at the model.
    await eventually(async () => ({ accepted: seen.statuses.filter((x) => x.status === 202).length, calls: fake.completions.length - callsBefore }), (n) => n.accepted >= RUNS / 4 && n.calls >= 10, 120_000, 20);
    say(`killing one replica of every app with ${seen.statuses.filter((x) => x.status === 202).length} runs accepted and ${fake.completions.length - callsBefore} model calls made`);
    const victims = APPS.map((name) => cluster.replicas(name)[0]);
    const [deadGateway] = cluster.replicas('gateway');
    gateways = gateways.filter((g) => g.baseUrl !== cluster.gatewayApi(deadGateway).baseUrl);
    await Promise.all(victims.map((v) => v.kill('SIGKILL')));
    try {
      const ids = await started;
      const runs = await waitFinal(ids);
      expectEachRunOnce(markers, ids, runs);
      expect(await runsInDatabase(markers)).toBe(RUNS);
      say(`kill phase: ${RUNS} runs, ${victims.length} processes killed, ${runs.filter((r) => r.attempt > 1).length} runs taken over, answers ${JSON.stringify(count(seen))}, dropped connections ${seen.dropped}`);
    } finally {
      // Back to two of everything, as the orchestrator would restart them.
      for (const victim of victims) await cluster.stopReplica(victim);
      for (const name of APPS) await cluster.startReplica(name, 120_000);
      gateways = cluster.replicas('gateway').map((g) => cluster.gatewayApi(g));
    }
  }, PHASE_TIMEOUT_MS);

  it('a rolling restart of every app under load gives no 5xx but 503s with Retry-After', async () => {
    const seen: Seen = { statuses: [], dropped: 0 };
    const markers: string[] = [];
    const ids: string[] = [];
    let rolling = true;
    // Ten clients starting runs one after another until every app has been restarted.
    const clients = Array.from({ length: 10 }, async (_, c) => {
      for (let i = 0; rolling || i === 0; i++) {
        const marker = `c${c}x${i}`;
        const id = await startRun(marker, seen, c + i);
        markers.push(marker);
        ids.push(id);
        // A steady load (about ten starts a second in all), not a flood that outlasts the test.
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    try {
      for (const name of APPS) {
        const [old] = cluster.replicas(name);
        const t0 = Date.now();
        const fresh = await cluster.startReplica(name, 120_000);
        say(`rolling: new ${name} ready after ${Date.now() - t0} ms (${ids.length} runs started so far)`);
        if (name === 'gateway') {
          // The load balancer adds the new gateway and stops sending to the old one, then it stops.
          gateways = [...gateways.filter((g) => g.baseUrl !== cluster.gatewayApi(old).baseUrl), cluster.gatewayApi(fresh)];
        }
        const t1 = Date.now();
        await cluster.stopReplica(old);
        say(`rolling: old ${name} stopped after ${Date.now() - t1} ms, exit code ${old.exitCode}`);
        // A clean stop: it finished what it had and exited 0 (its last lines otherwise).
        expect([name, old.exitCode, old.exitCode === 0 ? '' : old.output.slice(-2000)]).toEqual([name, 0, '']);
      }
    } finally {
      rolling = false;
    }
    await Promise.all(clients);
    const runs = await waitFinal(ids);

    const bad = seen.statuses.filter((s) => s.status >= 500 && !(s.status === 503 && s.retryAfter !== null));
    expect(bad).toEqual([]);
    expectEachRunOnce(markers, ids, runs);
    expect(await runsInDatabase(markers)).toBe(markers.length);
    say(`rolling phase: ${markers.length} runs during ${APPS.length} restarts, answers ${JSON.stringify(count(seen))}, dropped connections ${seen.dropped}`);
  }, PHASE_TIMEOUT_MS);
});

/** Retries what a busy machine may answer with 503 or 504, as a client would. */
async function retried<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= 10 || !/\b50[34]\b/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function count(seen: { statuses: Array<{ status: number }> }): Record<number, number> {
  const out: Record<number, number> = {};
  for (const s of seen.statuses) out[s.status] = (out[s.status] ?? 0) + 1;
  return out;
}
