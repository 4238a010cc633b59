import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MCP servers that need OAuth: a server bound to one of its owner's connections sends that
 * connection's access token; `oauth_provider` is the provider each other user of a shared server
 * connects. A server whose user has no usable connection is `needs_auth`, in its history too.
 */
export class McpServerOAuth1767100000400 implements MigrationInterface {
  name = 'McpServerOAuth1767100000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "integration"."mcp_servers" ADD "connection_id" uuid, ADD "oauth_provider" text`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" ADD CONSTRAINT "mcp_servers_oauth_ck" CHECK ("connection_id" IS NULL OR "oauth_provider" IS NOT NULL)`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" DROP CONSTRAINT "mcp_servers_health_status_ck"`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" ADD CONSTRAINT "mcp_servers_health_status_ck" CHECK ("health_status" IN ('unknown', 'healthy', 'unhealthy', 'needs_auth'))`);
    await q.query(`ALTER TABLE "integration"."mcp_server_statuses" DROP CONSTRAINT "mcp_server_statuses_status_ck"`);
    await q.query(`ALTER TABLE "integration"."mcp_server_statuses" ADD CONSTRAINT "mcp_server_statuses_status_ck" CHECK ("status" IN ('unknown', 'healthy', 'unhealthy', 'needs_auth'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "integration"."mcp_servers" SET "health_status" = 'unhealthy' WHERE "health_status" = 'needs_auth'`);
    await q.query(`UPDATE "integration"."mcp_server_statuses" SET "status" = 'unhealthy' WHERE "status" = 'needs_auth'`);
    await q.query(`ALTER TABLE "integration"."mcp_server_statuses" DROP CONSTRAINT "mcp_server_statuses_status_ck"`);
    await q.query(`ALTER TABLE "integration"."mcp_server_statuses" ADD CONSTRAINT "mcp_server_statuses_status_ck" CHECK ("status" IN ('unknown', 'healthy', 'unhealthy'))`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" DROP CONSTRAINT "mcp_servers_health_status_ck"`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" ADD CONSTRAINT "mcp_servers_health_status_ck" CHECK ("health_status" IN ('unknown', 'healthy', 'unhealthy'))`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" DROP CONSTRAINT "mcp_servers_oauth_ck"`);
    await q.query(`ALTER TABLE "integration"."mcp_servers" DROP COLUMN "connection_id", DROP COLUMN "oauth_provider"`);
  }
}
