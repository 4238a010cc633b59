import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tool registry (HTTP tools), MCP servers with their per-user credentials and status history, tool usage and integration events. */
export class CreateToolsAndMcpServers1766000000400 implements MigrationInterface {
  name = 'CreateToolsAndMcpServers1766000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "integration"."tools" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "name" text NOT NULL,
        "description" text NOT NULL DEFAULT '',
        "method" text NOT NULL DEFAULT 'GET',
        "url_template" text NOT NULL,
        "parameters" jsonb NOT NULL DEFAULT '{"type":"object","properties":{}}',
        "auth_type" text NOT NULL DEFAULT 'none',
        "auth_header_name" text,
        "auth_header_sealed" text,
        "auth_connection_id" uuid,
        "idempotent" boolean NOT NULL DEFAULT false,
        "is_active" boolean NOT NULL DEFAULT true,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "tools_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "tools_owner_id_name_uq" UNIQUE ("owner_id", "name"),
        CONSTRAINT "tools_method_ck" CHECK ("method" IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')),
        CONSTRAINT "tools_auth_type_ck" CHECK ("auth_type" IN ('none', 'header', 'connection'))
      )`);
    await q.query(`CREATE INDEX "tools_owner_id_id_idx" ON "integration"."tools" ("owner_id", "id")`);

    await q.query(`
      CREATE TABLE "integration"."mcp_servers" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "project_id" uuid,
        "name" text NOT NULL,
        "description" text,
        "transport" text NOT NULL,
        "url" text,
        "command" text,
        "args" jsonb NOT NULL DEFAULT '[]',
        "env_names" text[] NOT NULL DEFAULT '{}',
        "env_sealed" text,
        "header_names" text[] NOT NULL DEFAULT '{}',
        "headers_sealed" text,
        "credential_slots" jsonb NOT NULL DEFAULT '[]',
        "is_shared" boolean NOT NULL DEFAULT false,
        "is_enabled" boolean NOT NULL DEFAULT true,
        "health_status" text NOT NULL DEFAULT 'unknown',
        "last_checked_at" timestamptz,
        "last_error" text,
        "tools" jsonb NOT NULL DEFAULT '[]',
        "tools_discovered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "mcp_servers_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "mcp_servers_transport_ck" CHECK ("transport" IN ('streamable_http', 'sse', 'stdio')),
        CONSTRAINT "mcp_servers_health_status_ck" CHECK ("health_status" IN ('unknown', 'healthy', 'unhealthy'))
      )`);
    await q.query(`CREATE INDEX "mcp_servers_owner_id_id_idx" ON "integration"."mcp_servers" ("owner_id", "id")`);
    await q.query(`CREATE INDEX "mcp_servers_is_shared_idx" ON "integration"."mcp_servers" ("id") WHERE "is_shared"`);

    await q.query(`
      CREATE TABLE "integration"."mcp_server_credentials" (
        "id" uuid NOT NULL,
        "server_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "slot_names" text[] NOT NULL DEFAULT '{}',
        "values_sealed" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "mcp_server_credentials_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "mcp_server_credentials_server_id_owner_id_uq" UNIQUE ("server_id", "owner_id"),
        CONSTRAINT "mcp_server_credentials_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "integration"."mcp_servers" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "mcp_server_credentials_owner_id_idx" ON "integration"."mcp_server_credentials" ("owner_id")`);

    await q.query(`
      CREATE TABLE "integration"."mcp_server_statuses" (
        "id" uuid NOT NULL,
        "server_id" uuid NOT NULL,
        "status" text NOT NULL,
        "error" text,
        "latency_ms" integer,
        "tool_count" integer,
        "checked_at" timestamptz NOT NULL DEFAULT now(),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "mcp_server_statuses_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "mcp_server_statuses_status_ck" CHECK ("status" IN ('unknown', 'healthy', 'unhealthy')),
        CONSTRAINT "mcp_server_statuses_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "integration"."mcp_servers" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "mcp_server_statuses_server_id_checked_at_idx" ON "integration"."mcp_server_statuses" ("server_id", "checked_at")`);

    await q.query(`
      CREATE TABLE "integration"."tool_usage" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "agent_id" uuid,
        "run_id" uuid,
        "call_id" text NOT NULL,
        "target_kind" text NOT NULL,
        "target_id" text NOT NULL,
        "tool_name" text NOT NULL,
        "duration_ms" integer NOT NULL,
        "success" boolean NOT NULL,
        "error" text,
        "input_bytes" integer NOT NULL,
        "output_bytes" integer NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "tool_usage_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "tool_usage_target_kind_ck" CHECK ("target_kind" IN ('mcp', 'registry', 'integration'))
      )`);
    await q.query(`CREATE INDEX "tool_usage_owner_id_created_at_idx" ON "integration"."tool_usage" ("owner_id", "created_at")`);
    await q.query(`CREATE INDEX "tool_usage_run_id_idx" ON "integration"."tool_usage" ("run_id")`);

    await q.query(`
      CREATE TABLE "integration"."integration_events" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "connection_id" uuid,
        "mcp_server_id" uuid,
        "provider" text,
        "data" jsonb NOT NULL DEFAULT '{}',
        "occurred_at" timestamptz NOT NULL DEFAULT now(),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "integration_events_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "integration_events_event_type_ck" CHECK ("event_type" IN ('connected', 'refreshed', 'refresh_failed', 'revoked', 'disconnected', 'health_changed', 'webhook_received'))
      )`);
    await q.query(`CREATE INDEX "integration_events_owner_id_id_idx" ON "integration"."integration_events" ("owner_id", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['integration_events', 'tool_usage', 'mcp_server_statuses', 'mcp_server_credentials', 'mcp_servers', 'tools']) {
      await q.query(`DROP TABLE "integration"."${table}"`);
    }
  }
}
