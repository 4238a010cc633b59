// Knowledge search and ingestion on the platform, through the gateway.
//
// Search: one knowledge base of 100,000 chunks of 384 dimensions (the built-in model's default),
// written straight into the agent service's tables with SQL (ingesting 100,000 chunks through the
// API would measure ingestion, which has its own figure below). Vectors are random unit vectors:
// an exact scan costs the same whatever the numbers. Chunks carry metadata { group: 0..9, year:
// 2015..2024 } and 30 words of a skewed vocabulary, like real text. Sequential requests from one
// client, after a warm-up that loads the base's vectors into the agent service's memory:
//   hybrid + filter : POST /knowledge-bases/:id/search, mode hybrid, filter group in [1,2,3]
//                     and year >= 2018 (about 21% of the chunks pass; the agent service's
//                     in-memory index applies it before scoring)
//   vector          : the same route, mode vector, no filter (every vector scored)
// Floor: the bare exact scan itself (dot products over a 100,000 x 384 Float32Array and a top-k)
// in this process, in the same run: what no implementation of exact search can go below.
//
// Ingestion: one document of CHUNKS chunks through the API, with the built-in embedder; chunks per
// second from the POST to status ready.
import pg from 'pg';
import { percentile, sleep } from './util.mjs';

export const KNOWLEDGE_CHUNKS = 100_000;
export const KNOWLEDGE_DIMS = 384;
const VOCABULARY = 2000;
const WORDS = 30;
const TOP_K = 10;
const INGEST_CHUNKS = 2000;

async function api(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}

async function waitReady(base, token, documentId, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = await api(base, token, 'GET', `/api/v1/documents/${documentId}`);
    if (doc.status === 'ready') return doc;
    if (doc.status === 'failed') throw new Error(`document ${documentId} failed: ${doc.error}`);
    if (Date.now() > deadline) throw new Error(`document ${documentId} not ready in time: ${JSON.stringify(doc.progress)}`);
    await sleep(50);
  }
}

function randomUnit(dims) {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let d = 0; d < dims; d++) {
    v[d] = Math.random() * 2 - 1;
    norm += v[d] * v[d];
  }
  const s = 1 / Math.sqrt(norm);
  for (let d = 0; d < dims; d++) v[d] *= s;
  return v;
}

/** One base of KNOWLEDGE_CHUNKS chunks and vectors; answers the base id. */
export async function seedKnowledge({ base, token, dbUrl, log }) {
  const kb = await api(base, token, 'POST', '/api/v1/knowledge-bases', { name: 'Bench knowledge' });
  // A real document through the API, so its row and status are what ingestion writes; the bulk chunks hang off it.
  const doc = await api(base, token, 'POST', `/api/v1/knowledge-bases/${kb.id}/documents`, { source: 'text', content: 'Bench document lex1 lex2 lex3.' });
  await waitReady(base, token, doc.id);
  const t0 = Date.now();
  const client = new pg.Client({ connectionString: dbUrl, application_name: 'bench-seed' });
  await client.connect();
  try {
    const id = (expr) => `('00000002-0000-7000-8000-' || lpad(to_hex(${expr}), 12, '0'))::uuid`;
    await client.query(
      `INSERT INTO agent.chunks (id, document_id, knowledge_base_id, owner_id, chunk_index, content, metadata, search)
       SELECT ${id('g.i')}, $1, $2, d.owner_id, g.i, t.content, jsonb_build_object('group', g.i % 10, 'year', 2015 + (g.i / 10) % 10), to_tsvector('english', t.content)
       FROM agent.documents d, generate_series(1, $3) AS g(i),
            LATERAL (SELECT string_agg('lex' || (1 + floor($4 * random() ^ 2))::int, ' ') AS content FROM generate_series(1, $5) AS w WHERE g.i > 0) t
       WHERE d.id = $1`,
      [doc.id, kb.id, KNOWLEDGE_CHUNKS, VOCABULARY, WORDS],
    );
    for (let start = 1; start <= KNOWLEDGE_CHUNKS; start += 5000) {
      const ids = [];
      const vectors = [];
      const chunkIds = [];
      for (let i = start; i < Math.min(start + 5000, KNOWLEDGE_CHUNKS + 1); i++) {
        ids.push(`00000003-0000-7000-8000-${i.toString(16).padStart(12, '0')}`);
        chunkIds.push(`00000002-0000-7000-8000-${i.toString(16).padStart(12, '0')}`);
        vectors.push(Buffer.from(randomUnit(KNOWLEDGE_DIMS).buffer));
      }
      await client.query(
        `INSERT INTO agent.chunk_embeddings (id, chunk_id, knowledge_base_id, generation, vector)
         SELECT u.id, u.chunk_id, $3, 1, u.vector FROM unnest($1::uuid[], $2::uuid[], $4::bytea[]) AS u(id, chunk_id, vector)`,
        [ids, chunkIds, kb.id, vectors],
      );
    }
    // The searchable set changed: what the ingestion worker does when a document becomes ready.
    await client.query('UPDATE agent.knowledge_bases SET index_version = index_version + 1 WHERE id = $1', [kb.id]);
    await client.query('VACUUM ANALYZE agent.chunks');
    await client.query('ANALYZE agent.chunk_embeddings');
  } finally {
    await client.end().catch(() => {});
  }
  log(`seeded ${KNOWLEDGE_CHUNKS} chunks of ${KNOWLEDGE_DIMS} dimensions in ${Date.now() - t0} ms`);
  return kb.id;
}

const QUERIES = ['lex7 lex40', 'lex90 lex300 lex12', 'lex3', 'lex1500 lex8', 'lex250 lex600 lex900', 'lex20 lex21'];

/** p50/p95 of sequential searches of one kind, after a warm-up (which loads the vectors into memory). */
export async function measureSearch({ base, token, knowledgeBaseId, mode, filter, count, warmup = 10 }) {
  const url = `${base}/api/v1/knowledge-bases/${knowledgeBaseId}/search`;
  const call = async (i) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERIES[i % QUERIES.length], topK: TOP_K, mode, ...(filter ? { filter } : {}) }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = await res.json();
    return res.status === 200 && Array.isArray(body.items) && body.items.length === TOP_K;
  };
  for (let i = 0; i < warmup; i++) await call(i);
  const times = [];
  let failures = 0;
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    if (!(await call(i))) failures++;
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { requests: count, failures, p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** The floor: exact scan of KNOWLEDGE_CHUNKS unit vectors with a top-k, in this process. */
export function measureScanFloor(count) {
  const dims = KNOWLEDGE_DIMS;
  const vectors = new Float32Array(KNOWLEDGE_CHUNKS * dims);
  for (let i = 0; i < KNOWLEDGE_CHUNKS; i++) vectors.set(randomUnit(dims), i * dims);
  const times = [];
  for (let r = 0; r < count + 5; r++) {
    const q = randomUnit(dims);
    const t = process.hrtime.bigint();
    const best = [];
    for (let i = 0; i < KNOWLEDGE_CHUNKS; i++) {
      let dot = 0;
      const o = i * dims;
      for (let d = 0; d < dims; d++) dot += vectors[o + d] * q[d];
      if (best.length < TOP_K) {
        best.push(dot);
        best.sort((a, b) => a - b);
      } else if (dot > best[0]) {
        best[0] = dot;
        best.sort((a, b) => a - b);
      }
    }
    if (r >= 5) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { requests: count, p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** Ingestion throughput: one document of INGEST_CHUNKS chunks, POST to ready, built-in embedder. */
export async function measureIngestion({ base, token }) {
  const kb = await api(base, token, 'POST', '/api/v1/knowledge-bases', { name: 'Bench ingestion', chunking: { size: 200, overlap: 0 } });
  const lines = [];
  for (let i = 0; lines.length < INGEST_CHUNKS; i++) {
    lines.push(Array.from({ length: 28 }, (_, w) => `lex${1 + ((i * 31 + w * 7) % VOCABULARY)}`).join(' ').slice(0, 190));
  }
  const t = process.hrtime.bigint();
  const doc = await api(base, token, 'POST', `/api/v1/knowledge-bases/${kb.id}/documents`, { source: 'text', content: lines.join('\n\n') });
  const ready = await waitReady(base, token, doc.id);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  return { chunks: ready.progress.total, seconds, chunksPerSecond: ready.progress.total / seconds };
}
