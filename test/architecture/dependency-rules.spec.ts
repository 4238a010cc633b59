import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/**
 * Every architecture rule of .dependency-cruiser.cjs, held to a planted violation: a small tree
 * laid out like ours, cruised with the project's own configuration. A rule that stopped matching
 * (a renamed folder, a regex typo) would let its violation through, and this spec would say which.
 */
describe('architecture rules', () => {
  // [rule, importing file, its import, the imported file]
  const planted: Array<[string, string, string, string]> = [
    ['no-app-imports-another-app', 'apps/agent/src/agents/agents.service.ts', '../../../conversation/src/conversations/conversations.service.js', 'apps/conversation/src/conversations/conversations.service.ts'],
    ['no-lib-imports-an-app', 'libs/llm/src/chat.ts', '../../../apps/agent/src/agents/agents.service.js', 'apps/agent/src/agents/agents.service.ts'],
    ['no-reaching-around-a-lib-entry', 'apps/agent/src/wizard/wizard.service.ts', '../../../../libs/contracts/src/errors.js', 'libs/contracts/src/errors.ts'],
    ['no-app-uses-another-apps-migrations', 'apps/agent/src/agent.app.ts', '../../../migrations/identity/index.js', 'migrations/identity/index.ts'],
    ['migrations-only-use-libs', 'migrations/agent/index.ts', '../../apps/agent/src/agent.app.js', 'apps/agent/src/agent.app.ts'],
    ['contracts-stand-alone', 'libs/contracts/src/index.ts', '#persistence', 'libs/persistence/src/index.ts'],
    ['apps-use-the-bus-through-libs-messaging', 'apps/agent/src/templates/templates.service.ts', '@nats-io/nats-core', ''],
    ['no-circular', 'apps/agent/src/wizard/qa-prompt.ts', './qa-rules.js', 'apps/agent/src/wizard/qa-rules.ts'],
    ['features-meet-through-module-or-service', 'apps/agent/src/wizard/wizard.service.ts', '../agents/agents.repository.js', 'apps/agent/src/agents/agents.repository.ts'],
    ['features-meet-through-module-or-service', 'apps/agent/src/wizard/wizard.module.ts', '../agents/agent.entity.js', 'apps/agent/src/agents/agent.entity.ts'],
    ['features-meet-through-module-or-service', 'apps/gateway/src/runs/runs.controller.ts', '../agents/agents.controller.js', 'apps/gateway/src/agents/agents.controller.ts'],
    ['gateway-http-plumbing-knows-no-feature', 'apps/gateway/src/http/auth.guard.ts', '../runs/runs.service.js', 'apps/gateway/src/runs/runs.service.ts'],
    ['handlers-call-services', 'apps/agent/src/agents/agents.handler.ts', './agents.repository.js', 'apps/agent/src/agents/agents.repository.ts'],
    ['handlers-call-services', 'apps/gateway/src/agents/agents.controller.ts', '../../../agent/src/agents/agents.repository.js', 'apps/agent/src/agents/agents.repository.ts'],
  ];
  // Imports the rules must let through: a feature's module and service, its own files, the gateway's plumbing, a lib's entry.
  const allowed: Array<[string, string, string]> = [
    ['apps/agent/src/wizard/wizard.module.ts', '../agents/agents.module.js', 'apps/agent/src/agents/agents.module.ts'],
    ['apps/agent/src/wizard/wizard.service.ts', '../agents/agents.service.js', 'apps/agent/src/agents/agents.service.ts'],
    ['apps/agent/src/agents/agents.service.ts', './agents.repository.js', 'apps/agent/src/agents/agents.repository.ts'],
    ['apps/agent/src/agents/agents.handler.ts', './agents.service.js', 'apps/agent/src/agents/agents.service.ts'],
    ['apps/agent/src/agent.module.ts', './wizard/wizard.module.js', 'apps/agent/src/wizard/wizard.module.ts'],
    ['apps/gateway/src/agents/agents.controller.ts', '../http/auth.guard.js', 'apps/gateway/src/http/auth.guard.ts'],
    ['apps/agent/src/templates/templates.service.ts', '#contracts', 'libs/contracts/src/index.ts'],
  ];

  let dir: string;
  let violations: Violation[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'architecture-'));
    for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) copyFileSync(resolve(ROOT, file), join(dir, file));
    symlinkSync(resolve(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const sources = new Map<string, string[]>();
    for (const [from, specifier, to] of [...planted.map(([, ...rest]) => rest as [string, string, string]), ...allowed]) {
      sources.set(from, [...(sources.get(from) ?? []), `import '${specifier}';`]);
      if (to !== '' && !sources.has(to)) sources.set(to, []);
    }
    // The circle: qa-rules imports qa-prompt back.
    sources.set('apps/agent/src/wizard/qa-rules.ts', [...(sources.get('apps/agent/src/wizard/qa-rules.ts') ?? []), `import './qa-prompt.js';`]);
    for (const [file, imports] of sources) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), `${imports.join('\n')}\nexport const marker = '${file}';\n`);
    }
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'node_modules/dependency-cruiser/package.json'), 'utf8')) as { bin: Record<string, string> };
    const cli = resolve(ROOT, 'node_modules/dependency-cruiser', pkg.bin.depcruise);
    // A cruise that finds violations exits non-zero; its report is on stdout either way.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', 'apps', 'libs', 'migrations'], {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    if (!stdout.trim().startsWith('{')) throw new Error(`dependency-cruiser gave no report:\n${stderr}`);
    violations = (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(planted)('%s catches %s importing %s', (rule, from, specifier) => {
    const found = violations.filter((v) => v.rule.name === rule && v.from === from);
    expect({ rule, from, specifier, found: found.length > 0 }).toEqual({ rule, from, specifier, found: true });
  });

  it.each(allowed)('lets %s import %s', (from, specifier, to) => {
    expect(violations.filter((v) => v.from === from && v.to === to).map((v) => v.rule.name)).toEqual([]);
  });
});
