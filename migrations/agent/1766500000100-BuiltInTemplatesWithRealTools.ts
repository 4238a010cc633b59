import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first built-in templates named tools that do not exist (knowledge_search, web_search,
 * sql_query, python); saving an agent now checks its tools, so they name built-ins that do.
 * Knowledge search comes from an agent's knowledge bases, not from a tool reference.
 */
const TOOLS: Record<string, unknown[]> = {
  support_bot: [],
  research_assistant: [
    { kind: 'builtin', name: 'http_get' },
    { kind: 'builtin', name: 'current_time' },
  ],
  data_analyst: [{ kind: 'builtin', name: 'calculator' }],
};

export class BuiltInTemplatesWithRealTools1766500000100 implements MigrationInterface {
  name = 'BuiltInTemplatesWithRealTools1766500000100';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, tools] of Object.entries(TOOLS)) {
      await q.query(
        `UPDATE "agent"."templates" SET "body" = jsonb_set("body", '{run,tools}', $2::jsonb), "updated_at" = now()
         WHERE "owner_id" IS NULL AND "kind" = 'agent' AND "name" = $1 AND "body" ? 'run'`,
        [name, JSON.stringify(tools)],
      );
    }
  }

  async down(): Promise<void> {
    // The old names were never usable; nothing to bring back.
  }
}
