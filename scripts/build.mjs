// Compiles the TypeScript sources to dist/ with tsc (esbuild and tsx emit no decorator metadata),
// but only when something changed since the last build: `npm start`, `npm test`, `npm run migrate`
// and `npm run bench` call it first, so an unchanged tree starts at once, and `npm install` calls
// it too (the `prepare` script), so the first `npm start` is fast as well.
//
//   node scripts/build.mjs            build if the sources changed (silent when nothing did)
//   node scripts/build.mjs --always   build now (`npm run build`)
//   node scripts/build.mjs --install  as the first form, for `npm install`: a tree without sources
//                                     (the Dockerfile's dependency layer) is skipped, and a failed
//                                     build does not fail the install (the next start says why)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAMP = join(ROOT, 'dist/.build-stamp');
const TSBUILDINFO = join(ROOT, 'dist/.tsbuildinfo');
/** What tsconfig.build.json compiles; specs and test folders are left out there and here. */
const SOURCE_DIRS = ['apps', 'libs', 'migrations', 'standalone', 'scripts'];
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

const mode = process.argv.includes('--always') ? 'always' : process.argv.includes('--install') ? 'install' : 'if-changed';

/**
 * One line per input: path and modification time. Folders count too, so a file that is deleted
 * or renamed (which keeps its own time) still changes the fingerprint.
 */
function fingerprint() {
  const lines = [`node ${process.versions.node}`];
  const walk = (dir) => {
    const entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
    lines.push(`${dir}/ ${statSync(join(ROOT, dir)).mtimeMs}`);
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'test' && entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.e2e-spec.ts')) {
        lines.push(`${path} ${statSync(join(ROOT, path)).mtimeMs}`);
      }
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(ROOT, dir))) walk(dir);
  for (const file of CONFIG_FILES) if (existsSync(join(ROOT, file))) lines.push(`${file} ${statSync(join(ROOT, file)).mtimeMs}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** The entry points every command runs; if one is missing, dist/ is not a complete build. */
function entryPoints() {
  const apps = readdirSync(join(ROOT, 'apps')).filter((app) => existsSync(join(ROOT, `apps/${app}/src/main.ts`)));
  return ['dist/standalone/main.js', 'dist/scripts/migrate.js', ...apps.map((app) => `dist/apps/${app}/main.js`)];
}

function upToDate(print) {
  if (!existsSync(STAMP)) return false;
  if (readFileSync(STAMP, 'utf8').trim() !== print) return false;
  return entryPoints().every((file) => existsSync(join(ROOT, file)));
}

function build() {
  // tsc --incremental trusts its build info even when outputs were deleted: without the entry
  // points it must emit everything again.
  if (!entryPoints().every((file) => existsSync(join(ROOT, file)))) rmSync(TSBUILDINFO, { force: true });
  const before = fingerprint();
  const started = Date.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) return false;
  // tsc keeps the source layout (dist/apps/<app>/src/main.js); deployments run the shorter
  // dist/apps/<app>/main.js. The entry turns on Node's compile cache before loading the app, so
  // a restart skips most of the parsing and compiling of the dependencies.
  for (const app of readdirSync(join(ROOT, 'apps'))) {
    if (existsSync(join(ROOT, `dist/apps/${app}/src/main.js`))) {
      writeFileSync(join(ROOT, `dist/apps/${app}/main.js`), "import { enableCompileCache } from 'node:module';\n\nenableCompileCache?.();\nawait import('./src/main.js');\n");
    }
  }
  writeFileSync(STAMP, `${before}\n`);
  if (mode !== 'always') process.stderr.write(`Built dist/ in ${Math.round((Date.now() - started) / 1000)} s.\n`);
  return true;
}

if (mode === 'install' && !existsSync(join(ROOT, 'tsconfig.build.json'))) process.exit(0);
if (mode !== 'always') {
  if (upToDate(fingerprint())) process.exit(0);
  process.stderr.write(existsSync(STAMP) ? 'Sources changed since the last build: compiling to dist/ ...\n' : 'Compiling the TypeScript sources to dist/ (once; about a minute) ...\n');
}
if (build()) process.exit(0);
if (mode === 'install') {
  process.stderr.write('The build failed (see above); the install itself is complete. `npm start` and `npm test` build again first.\n');
  process.exit(0);
}
process.exit(1);
