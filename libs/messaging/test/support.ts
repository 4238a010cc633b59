import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AppError } from '#contracts';
import { createMessagingTablesV1 } from '#messaging';
import type { Runtime } from '#service-kit';
import { testEnv } from '#testing';

/** Both transports a process can run on; every behaviour below must be the same on each. */
export type TransportKind = 'nats' | 'in-process';
export const TRANSPORTS: TransportKind[] = ['nats', 'in-process'];

type PlatformConfig = Parameters<typeof Runtime.create>[0];

/** The configuration a bus service process would load, for one transport. */
export function testConfig(kind: TransportKind, settings: { databaseUrl: string; busNamespace: string; requestTimeoutMs?: number }): PlatformConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: settings.databaseUrl,
    natsUrl: kind === 'nats' ? testEnv().natsUrl : undefined,
    dataDir: '/tmp/agent-platform-messaging-test',
    logLevel: 'silent',
    jwtSecret: undefined,
    accessTokenTtlSeconds: 900,
    refreshTokenTtlSeconds: 86_400,
    requestTimeoutMs: settings.requestTimeoutMs ?? 500,
    bodyLimitBytes: 1_048_576,
    credentialCacheMs: 0,
    busNamespace: settings.busNamespace,
    migrateOnStart: true,
    // The specs drive the relay themselves (relay.pass()), so each step is deterministic.
    outboxRelay: false,
    embeddedPostgresPort: 54329,
    trustProxy: false,
    jetStreamReplicas: 1,
    outbound: { allowInternal: false, internalAllowlist: [] },
  };
}

/** A service's first migration: its schema, the messaging tables, and any tables of its own. */
export function schemaMigration(schema: string, timestamp: number, ownTables: string[] = []): new () => MigrationInterface {
  const name = `Create${schema.replace(/[^A-Za-z0-9]/g, '')}Schema${timestamp}`;
  return class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      await q.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await createMessagingTablesV1(q, schema);
      for (const sql of ownTables) await q.query(sql);
    }
    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  };
}

/** Awaits a promise that must fail with an AppError, and returns that error for assertions. */
export async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  let outcome: unknown;
  try {
    outcome = { resolved: await promise };
  } catch (err) {
    if (err instanceof AppError) return err;
    throw new Error(`expected an AppError, got ${String(err)}`);
  }
  throw new Error(`expected an AppError, but the call resolved with ${JSON.stringify(outcome)}`);
}

/** Polls until `accept` holds or the time is up; returns the last value either way, for the assertion to show. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 40));
  }
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
