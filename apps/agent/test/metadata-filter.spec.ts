import pg from 'pg';
import { createTestDatabase } from '#testing';
import { metadataFilterPredicate, metadataFilterSql, parseMetadataFilter } from '../src/chunks/metadata-filter.js';
import { forEachLexeme } from '../src/knowledge-search/in-memory-index.js';

/**
 * Search filters its in-memory copy of a base with metadataFilterPredicate, and SQL (the fallback,
 * and what the filter meant first) with metadataFilterSql: the two must select the same chunks.
 * Random metadata and random filters, each filter run both ways on real PostgreSQL.
 */
describe('metadata filters in memory and in SQL', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createTestDatabase('filters') });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  /** A small deterministic generator (mulberry32), so a failure replays. */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const STRINGS = ['', 'a', 'b', 'B', 'ab', 'é', 'z', '\u{e000}', '\u{1f600}', '2024-01-31', '2024-02-01', 'en', 'de'];
  const NUMBERS = [0, -1, 1, 1.5, 2, 2.25, 10, 100, -0.5, 2020, 2024];
  const KEYS = ['a', 'b', 'tags', 'n', '0', '-1', '01'];

  it('selects the same rows for 400 random filters over 300 random metadata values', async () => {
    const next = random(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const scalar = (): unknown => {
      const r = next();
      return r < 0.4 ? pick(STRINGS) : r < 0.8 ? pick(NUMBERS) : r < 0.9 ? next() < 0.5 : null;
    };
    const value = (depth: number): unknown => {
      const r = next();
      if (depth < 2 && r < 0.15) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
      if (depth < 2 && r < 0.3) return Object.fromEntries(Array.from({ length: 1 + Math.floor(next() * 3) }, () => [pick(KEYS), value(depth + 1)]));
      return scalar();
    };
    const rows = Array.from({ length: 300 }, () => Object.fromEntries(Array.from({ length: Math.floor(next() * 4) }, () => [pick(KEYS), value(0)])));
    await client.query('CREATE TABLE cases (i int PRIMARY KEY, metadata jsonb NOT NULL)');
    await client.query('INSERT INTO cases SELECT u.i, u.m FROM unnest($1::int[], $2::jsonb[]) AS u(i, m)', [rows.map((_, i) => i), rows.map((row) => JSON.stringify(row))]);
    // What search holds: the metadata as PostgreSQL gives it back.
    const stored = (await client.query<{ i: number; metadata: string }>('SELECT i, metadata::text AS metadata FROM cases ORDER BY i')).rows.map((row) => JSON.parse(row.metadata) as unknown);

    const field = () => Array.from({ length: 1 + Math.floor(next() * 2) }, () => pick(KEYS)).join('.');
    const condition = (depth: number): Record<string, unknown> => {
      const r = next();
      if (depth < 2 && r < 0.2) return { [next() < 0.5 ? 'and' : 'or']: Array.from({ length: 1 + Math.floor(next() * 3) }, () => condition(depth + 1)) };
      if (r < 0.4) return { [field()]: scalar() };
      if (r < 0.55) return { [field()]: { in: Array.from({ length: 1 + Math.floor(next() * 3) }, scalar) } };
      if (r < 0.65) return { [field()]: { exists: next() < 0.5 } };
      const numeric = next() < 0.6;
      const bound = () => (numeric ? pick(NUMBERS) : pick(STRINGS));
      const ops = (['gt', 'gte', 'lt', 'lte'] as const).filter(() => next() < 0.4);
      return { [field()]: Object.fromEntries((ops.length > 0 ? ops : (['gte'] as const)).map((op) => [op, bound()])) };
    };

    let nonTrivial = 0;
    for (let n = 0; n < 400; n++) {
      const raw = condition(0);
      const filter = parseMetadataFilter(raw);
      if (filter === null) continue;
      const params: unknown[] = [];
      const sql = metadataFilterSql(filter, 'c."metadata"', params);
      const inSql = (await client.query<{ i: number }>(`SELECT c.i FROM cases c WHERE ${sql} ORDER BY c.i`, params)).rows.map((row) => row.i);
      const test = metadataFilterPredicate(filter);
      const inMemory = stored.flatMap((metadata, i) => (test(metadata) ? [i] : []));
      if (JSON.stringify(inMemory) !== JSON.stringify(inSql)) {
        throw new Error(`filter ${JSON.stringify(raw)} selects ${inMemory.length} rows in memory, ${inSql.length} in SQL; first difference at row ${JSON.stringify(stored[[...inMemory, ...inSql].find((i) => inMemory.includes(i) !== inSql.includes(i)) ?? 0])}`);
      }
      if (inSql.length > 0 && inSql.length < rows.length) nonTrivial++;
    }
    // The comparison means something only if many filters select some rows but not all.
    expect(nonTrivial).toBeGreaterThan(100);
  });

  it('reads lexemes and their counts from the text of a tsvector as PostgreSQL lists them', async () => {
    const texts = ["it's O'Reilly's back\\slash", 'refunds refunded refunding returns', 'a a a b', '', "'quoted' \"double\" x''y", 'naïve café 😀 ünïcode'];
    for (const text of texts) {
      const { rows } = await client.query<{ vector: string; lexemes: Array<{ lexeme: string; n: number }> | null }>(
        `SELECT v::text AS vector, (SELECT json_agg(json_build_object('lexeme', u.lexeme, 'n', coalesce(array_length(u.positions, 1), 1)) ORDER BY u.lexeme) FROM unnest(v) u) AS lexemes
         FROM to_tsvector('simple', $1) v`,
        [text],
      );
      const read: Array<{ lexeme: string; n: number }> = [];
      forEachLexeme(rows[0].vector, (lexeme, n) => read.push({ lexeme, n }));
      expect(read.sort((x, y) => (x.lexeme < y.lexeme ? -1 : x.lexeme > y.lexeme ? 1 : 0))).toEqual(
        [...(rows[0].lexemes ?? [])].sort((x, y) => (x.lexeme < y.lexeme ? -1 : x.lexeme > y.lexeme ? 1 : 0)),
      );
    }
    // Lexemes with a quote or a backslash, and one stored without positions.
    const { rows } = await client.query<{ vector: string }>(`SELECT $$'it''s':1,3 'back\\\\slash':2 'bare'$$::tsvector::text AS vector`);
    const read: Array<[string, number]> = [];
    forEachLexeme(rows[0].vector, (lexeme, n) => read.push([lexeme, n]));
    expect(new Map(read)).toEqual(
      new Map([
        ['bare', 1],
        ["it's", 2],
        ['back\\slash', 1],
      ]),
    );
  });
});
