// Latency of the conversation service's two heavy reads, through the gateway:
// the current branch of a 1,000-message conversation (a recursive walk up the
// parent links) and full-text search over 100,000 messages of one user.
// The data is written straight into the platform's tables with SQL (creating
// 100,000 messages through the API would take minutes and measure the wrong
// thing); the conversations themselves are created through the API.
import pg from 'pg';
import { percentile, sleep } from './util.mjs';

export const BRANCH_MESSAGES = 1000;
export const SEARCH_MESSAGES = 100_000;
const SEARCH_CONVERSATIONS = 100;
const VOCABULARY = 2000;
const WORDS_PER_MESSAGE = 30;

/** Words lex1..lex2000 drawn with a skew (low numbers common), like real vocabulary. */
const SEARCH_QUERIES = ['lex7', 'lex40 lex90', '"lex3 lex4"', 'lex12 -lex13', 'lex1500 or lex1800', 'lex250 lex600 lex900'];

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-seed' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function api(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

/** Seeds both data sets; returns the paths the two scenarios request. */
export async function seedConversations({ base, token, agentId, dbUrl, log }) {
  const me = await api(base, token, 'GET', '/api/v1/me');
  const branch = await api(base, token, 'POST', '/api/v1/conversations', { agentId, title: 'Bench branch' });
  const t0 = Date.now();
  await withClient(dbUrl, async (c) => {
    // Time-ordered ids built from the sequence number, each message answering the one before.
    const id = (expr) => `('00000000-0000-7000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
    await c.query(
      `INSERT INTO conversation.messages (id, conversation_id, owner_id, agent_id, parent_id, role, content, created_at)
       SELECT ${id('i')}, $1, $2, $3, CASE WHEN i = 1 THEN NULL ELSE ${id('i - 1')} END,
              CASE WHEN i % 2 = 1 THEN 'user' ELSE 'assistant' END,
              'Message ' || i || ' of the long bench conversation, with a sentence or two of ordinary text in it.',
              now() - make_interval(secs => $4 - i)
       FROM generate_series(1, $4) AS i`,
      [branch.id, me.id, agentId, BRANCH_MESSAGES],
    );
    await c.query(
      `UPDATE conversation.conversations SET current_leaf_id = ${id('$2::int')}, message_count = $2, last_message_at = now() WHERE id = $1`,
      [branch.id, BRANCH_MESSAGES],
    );
  });
  log(`seeded a ${BRANCH_MESSAGES}-message branch in ${Date.now() - t0} ms`);

  const t1 = Date.now();
  const conversations = [];
  for (let i = 0; i < SEARCH_CONVERSATIONS; i++) conversations.push((await api(base, token, 'POST', '/api/v1/conversations', { agentId, title: `Bench search ${i}` })).id);
  await withClient(dbUrl, async (c) => {
    await c.query(
      `INSERT INTO conversation.messages (id, conversation_id, owner_id, agent_id, role, content)
       SELECT ('00000001-0000-7000-8000-' || lpad(to_hex(g.i), 12, '0'))::uuid, ($1::uuid[])[1 + g.i % $5], $2, $3,
              CASE WHEN g.i % 2 = 1 THEN 'user' ELSE 'assistant' END,
              (SELECT string_agg('lex' || (1 + floor($6 * random() ^ 2))::int, ' ') FROM generate_series(1, $7) AS w WHERE g.i > 0)
       FROM generate_series(1, $4) AS g(i)`,
      [conversations, me.id, agentId, SEARCH_MESSAGES, SEARCH_CONVERSATIONS, VOCABULARY, WORDS_PER_MESSAGE],
    );
    // As autovacuum would soon after a bulk load: moves the GIN pending list into the index proper.
    await c.query('VACUUM ANALYZE conversation.messages');
    await c.query('ANALYZE conversation.conversations');
  });
  log(`seeded ${SEARCH_MESSAGES} messages in ${SEARCH_CONVERSATIONS} conversations in ${Date.now() - t1} ms`);
  return {
    branchPath: `/api/v1/conversations/${branch.id}/messages?limit=${BRANCH_MESSAGES}`,
    searchPaths: SEARCH_QUERIES.map((q) => `/api/v1/search/messages?q=${encodeURIComponent(q)}`),
  };
}

/**
 * Sequential requests from one client, so each figure is the latency of one request on an
 * otherwise idle platform (no queueing): warm-up, then `count` timed requests cycling the paths.
 */
export async function measureLatency({ base, token, paths, count, warmup = 20, check }) {
  const headers = { authorization: `Bearer ${token}` };
  for (let i = 0; i < warmup; i++) await (await fetch(`${base}${paths[i % paths.length]}`, { headers })).arrayBuffer();
  const times = [];
  const byPath = new Map(paths.map((p) => [p, []]));
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(`${base}${paths[i % paths.length]}`, { headers });
    const body = await res.json();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    times.push(ms);
    byPath.get(paths[i % paths.length]).push(ms);
    if (res.status !== 200 || !check(body)) failures++;
    if (i % 50 === 49) await sleep(10);
  }
  times.sort((a, b) => a - b);
  return {
    requests: count,
    failures,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    mean: times.reduce((s, x) => s + x, 0) / times.length,
    // Per path when several are cycled (search: one entry per query), to see which one costs.
    perPath:
      paths.length > 1
        ? Object.fromEntries([...byPath].map(([p, ts]) => [decodeURIComponent(p.split('q=')[1] ?? p), percentile(ts.sort((a, b) => a - b), 50)]))
        : undefined,
  };
}
