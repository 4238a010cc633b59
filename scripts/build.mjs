// Compiles the TypeScript sources to dist/ with tsc (esbuild and tsx emit no decorator metadata),
// and bundles the playground web page (apps/gateway/web) with esbuild, each only when its sources
// changed since the last build: `npm start`, `npm test`, `npm run migrate` and `npm run bench`
// call it first, so an unchanged tree starts at once, and `npm install` calls it too (the
// `prepare` script), so the first `npm start` is fast as well.
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
/** The playground: a browser app, type-checked with its own tsconfig and bundled by esbuild. */
const WEB_SOURCE = 'apps/gateway/web';
const WEB_OUT = 'dist/apps/gateway/web';
const WEB_STAMP = join(ROOT, 'dist/.web-build-stamp');
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
        if (entry.name !== 'test' && entry.name !== 'node_modules' && entry.name !== 'dist' && path !== WEB_SOURCE) walk(path);
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

/** Every file of the web sources (not only .ts: markup and styles too), this script and the manifests. */
function webFingerprint() {
  const lines = [];
  const walk = (dir) => {
    lines.push(`${dir}/ ${statSync(join(ROOT, dir)).mtimeMs}`);
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.spec.ts')) lines.push(`${path} ${statSync(join(ROOT, path)).mtimeMs}`);
    }
  };
  if (existsSync(join(ROOT, WEB_SOURCE))) walk(WEB_SOURCE);
  for (const file of ['scripts/build.mjs', 'package.json', 'package-lock.json']) if (existsSync(join(ROOT, file))) lines.push(`${file} ${statSync(join(ROOT, file)).mtimeMs}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

function upToDate(print) {
  if (!existsSync(STAMP)) return false;
  if (readFileSync(STAMP, 'utf8').trim() !== print) return false;
  return entryPoints().every((file) => existsSync(join(ROOT, file)));
}

function webUpToDate(print) {
  if (!existsSync(join(ROOT, WEB_SOURCE))) return true;
  if (!existsSync(WEB_STAMP) || readFileSync(WEB_STAMP, 'utf8').trim() !== print) return false;
  return existsSync(join(ROOT, WEB_OUT, 'index.html'));
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

/**
 * The playground: type-checked (esbuild only strips types), then bundled with its styles into one
 * script and one style sheet whose names carry a content hash (so the gateway can let browsers
 * cache them for good), and index.html written to point at them.
 */
async function buildWeb() {
  const before = webFingerprint();
  const started = Date.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const check = spawnSync(process.execPath, [tsc, '-p', `${WEB_SOURCE}/tsconfig.json`], { cwd: ROOT, stdio: 'inherit' });
  if (check.status !== 0) return false;
  const { build: bundle } = await import('esbuild');
  rmSync(join(ROOT, WEB_OUT), { recursive: true, force: true });
  let result;
  try {
    result = await bundle({
      absWorkingDir: ROOT,
      entryPoints: { app: `${WEB_SOURCE}/src/main.tsx` },
      outdir: `${WEB_OUT}/assets`,
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      minify: true,
      sourcemap: 'linked',
      target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'eof',
      metafile: true,
      logLevel: 'error',
    });
  } catch {
    return false; // esbuild printed why
  }
  const outputs = Object.keys(result.metafile.outputs).map((path) => path.slice(`${WEB_OUT}/`.length));
  const script = outputs.find((path) => path.endsWith('.js'));
  const styles = outputs.find((path) => path.endsWith('.css'));
  const page = readFileSync(join(ROOT, WEB_SOURCE, 'index.html'), 'utf8').replace('{{script}}', script).replace('{{styles}}', styles);
  writeFileSync(join(ROOT, WEB_OUT, 'index.html'), page);
  writeFileSync(WEB_STAMP, `${before}\n`);
  if (mode !== 'always') process.stderr.write(`Built the playground in ${Math.round((Date.now() - started) / 1000)} s.\n`);
  return true;
}

if (mode === 'install' && !existsSync(join(ROOT, 'tsconfig.build.json'))) process.exit(0);
let serverDone = false;
let webDone = false;
if (mode !== 'always') {
  serverDone = upToDate(fingerprint());
  webDone = webUpToDate(webFingerprint());
  if (serverDone && webDone) process.exit(0);
  if (!serverDone) {
    process.stderr.write(existsSync(STAMP) ? 'Sources changed since the last build: compiling to dist/ ...\n' : 'Compiling the TypeScript sources to dist/ (once; about a minute) ...\n');
  } else {
    process.stderr.write('Bundling the playground page (its sources changed since the last build) ...\n');
  }
}
if ((serverDone || build()) && (webDone || (await buildWeb()))) process.exit(0);
if (mode === 'install') {
  process.stderr.write('The build failed (see above); the install itself is complete. `npm start` and `npm test` build again first.\n');
  process.exit(0);
}
process.exit(1);
