import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Conversations, their messages as a tree, run-memory summaries and attachments. */
export class CreateConversations1764100000300 implements MigrationInterface {
  name = 'CreateConversations1764100000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "conversation"."conversations" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "agent_id" uuid,
        "workflow_id" uuid,
        "project_id" uuid,
        "title" text,
        "session_id" uuid,
        "session_context" jsonb NOT NULL DEFAULT '{}',
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "is_archived" boolean NOT NULL DEFAULT false,
        "current_leaf_id" uuid,
        "last_message_at" timestamptz,
        "message_count" integer NOT NULL DEFAULT 0,
        "prompt_tokens" bigint NOT NULL DEFAULT 0,
        "completion_tokens" bigint NOT NULL DEFAULT 0,
        "total_tokens" bigint NOT NULL DEFAULT 0,
        "cost_micros" bigint NOT NULL DEFAULT 0,
        "deleted_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "conversations_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "conversations_session_id_uq" UNIQUE ("session_id"),
        CONSTRAINT "conversations_one_target_ck" CHECK (("agent_id" IS NULL) <> ("workflow_id" IS NULL)),
        CONSTRAINT "conversations_totals_ck" CHECK ("message_count" >= 0 AND "total_tokens" >= 0 AND "cost_micros" >= 0)
      )`);
    // Lists: newest activity first within one owner; a conversation without messages sorts by creation.
    await q.query(`
      CREATE INDEX "conversations_owner_activity_idx" ON "conversation"."conversations"
        ("owner_id", (COALESCE("last_message_at", "created_at")) DESC, "id" DESC) WHERE "deleted_at" IS NULL`);
    await q.query(`CREATE INDEX "conversations_agent_id_idx" ON "conversation"."conversations" ("agent_id") WHERE "agent_id" IS NOT NULL`);
    await q.query(`CREATE INDEX "conversations_deleted_at_idx" ON "conversation"."conversations" ("deleted_at") WHERE "deleted_at" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "conversation"."messages" (
        "id" uuid NOT NULL,
        "conversation_id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "agent_id" uuid,
        "parent_id" uuid,
        "role" text NOT NULL,
        "content" text NOT NULL,
        "tool_calls" jsonb,
        "tool_call_id" text,
        "run_id" uuid,
        "step" integer,
        "model" text,
        "token_usage" jsonb,
        "cost_micros" bigint NOT NULL DEFAULT 0,
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "search" tsvector GENERATED ALWAYS AS (to_tsvector('english', "content")) STORED,
        "deleted_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "messages_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "messages_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"."conversations" ("id") ON DELETE CASCADE,
        CONSTRAINT "messages_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "conversation"."messages" ("id") ON DELETE CASCADE,
        CONSTRAINT "messages_role_ck" CHECK ("role" IN ('system', 'user', 'assistant', 'tool')),
        CONSTRAINT "messages_run_step_ck" CHECK (("run_id" IS NULL) = ("step" IS NULL))
      )`);
    // A retried write of one run step finds its first write instead of adding a second message.
    await q.query(`CREATE UNIQUE INDEX "messages_run_id_step_uq" ON "conversation"."messages" ("run_id", "step") WHERE "run_id" IS NOT NULL`);
    // Walking up a branch follows the primary key; walking down (switch, delete) and the tree need these.
    await q.query(`CREATE INDEX "messages_parent_id_idx" ON "conversation"."messages" ("parent_id")`);
    await q.query(`CREATE INDEX "messages_conversation_id_id_idx" ON "conversation"."messages" ("conversation_id", "id")`);
    await q.query(`CREATE INDEX "messages_search_idx" ON "conversation"."messages" USING GIN ("search") WHERE "deleted_at" IS NULL`);
    await q.query(`CREATE INDEX "messages_owner_id_idx" ON "conversation"."messages" ("owner_id")`);
    await q.query(`CREATE INDEX "messages_deleted_at_idx" ON "conversation"."messages" ("deleted_at") WHERE "deleted_at" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "conversation"."summaries" (
        "id" uuid NOT NULL,
        "conversation_id" uuid NOT NULL,
        "through_message_id" uuid NOT NULL,
        "content" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "summaries_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "summaries_conversation_id_uq" UNIQUE ("conversation_id"),
        CONSTRAINT "summaries_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"."conversations" ("id") ON DELETE CASCADE,
        CONSTRAINT "summaries_through_message_id_fkey" FOREIGN KEY ("through_message_id") REFERENCES "conversation"."messages" ("id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "conversation"."attachments" (
        "id" uuid NOT NULL,
        "owner_id" uuid NOT NULL,
        "conversation_id" uuid NOT NULL,
        "message_id" uuid,
        "filename" text NOT NULL,
        "content_type" text NOT NULL,
        "size_bytes" integer NOT NULL,
        "sha256" text NOT NULL,
        "storage_key" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "attachments_pkey" PRIMARY KEY ("id"),
        CONSTRAINT "attachments_storage_key_uq" UNIQUE ("storage_key"),
        CONSTRAINT "attachments_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversation"."conversations" ("id") ON DELETE CASCADE,
        CONSTRAINT "attachments_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "conversation"."messages" ("id") ON DELETE SET NULL,
        CONSTRAINT "attachments_size_bytes_ck" CHECK ("size_bytes" >= 0),
        CONSTRAINT "attachments_sha256_ck" CHECK ("sha256" ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX "attachments_conversation_id_idx" ON "conversation"."attachments" ("conversation_id")`);
    await q.query(`CREATE INDEX "attachments_owner_id_idx" ON "conversation"."attachments" ("owner_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "conversation"."attachments"`);
    await q.query(`DROP TABLE "conversation"."summaries"`);
    await q.query(`DROP TABLE "conversation"."messages"`);
    await q.query(`DROP TABLE "conversation"."conversations"`);
  }
}
