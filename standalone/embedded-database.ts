import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { rootLogger } from '#observability';

const DATABASE = 'agent_platform';
const USER = 'platform';
/** Protects nothing (only local connections reach the server) but is still not a default one. */
const PASSWORD = 'platform-local';
const FIRST_PORT = 54329;
/** Ports tried after FIRST_PORT when it is taken and EMBEDDED_PG_PORT is not set. */
const MORE_PORTS = 20;
/**
 * As root, PostgreSQL runs as the `postgres` user. Whatever that user cannot reach (binaries inside
 * a checkout under /root, a DATA_DIR there) is placed here instead, where it can.
 */
const ROOT_FALLBACK_DIR = '/var/lib/agent-platform/embedded-postgres';

const run = promisify(execFile);

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** The cluster's folder: DATA_DIR/postgres, or under ROOT_FALLBACK_DIR as root (see above). */
  directory: string;
  stop(): Promise<void>;
}

/** Start-up problems the operator can fix, worded to say how; logged as the reason start failed. */
export class EmbeddedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedDatabaseError';
  }
}

interface Binaries {
  initdb: string;
  postgres: string;
  /** The package's native/ folder: bin/, lib/ and share/, which postgres finds relative to itself. */
  root: string;
  version: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * A PostgreSQL of our own for the zero-configuration start, from the binaries that the
 * embedded-postgres package installs for this platform. Only local connections reach it.
 *
 * - A postgres left running by an earlier start that was killed (kill -9) is stopped first; one
 *   that belongs to a platform still running on the same DATA_DIR is an error that says so.
 * - Without EMBEDDED_PG_PORT the first free port from 54329 on is used, so a second platform on
 *   the same machine just works; a taken EMBEDDED_PG_PORT is an error naming the variable.
 * - As root it runs as the `postgres` user (PostgreSQL refuses root): binaries and data that user
 *   cannot reach are copied or placed under /var/lib/agent-platform/embedded-postgres.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  fixedPort: number | undefined,
  /** Called once initdb or postgres runs: the caller's own work can go on beside it from then on. */
  onProcessStarted: () => void = () => undefined,
): Promise<EmbeddedDatabase> {
  const log = rootLogger().child({ component: 'embedded-postgres' });
  const home = resolve(dataDir);
  await mkdir(home, { recursive: true });
  let binaries = await locateBinaries();
  const runAs = process.getuid?.() === 0 ? await postgresUser() : undefined;
  let directory = join(home, 'postgres');

  if (runAs) {
    if (!reachable(binaries.root, runAs)) binaries = await copyBinaries(binaries, runAs);
    if (!reachable(home, runAs)) {
      const moved = join(ROOT_FALLBACK_DIR, `data-${createHash('sha256').update(home).digest('hex').slice(0, 12)}`);
      const level = existsSync(join(moved, 'PG_VERSION')) ? 'debug' : 'info';
      log[level]({ directory: moved }, `the postgres user cannot enter ${home}, so the embedded PostgreSQL keeps its data in ${moved}`);
      await mkdir(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
      directory = moved;
    }
  }

  const ownerFile = join(home, 'embedded-postgres.pid');
  await stopLeftOver(directory, ownerFile, home, log);

  if (fixedPort !== undefined && !(await portFree(fixedPort))) throw portTaken(fixedPort);
  if (!existsSync(join(directory, 'PG_VERSION'))) {
    log.info({ directory }, 'initialising the embedded PostgreSQL (first start; a few seconds)');
    await initialise(binaries, directory, runAs, onProcessStarted);
  }

  let server: Server | undefined;
  for await (const port of candidatePorts(fixedPort)) {
    try {
      server = await Server.start(binaries, directory, port, runAs, onProcessStarted);
      if (port !== (fixedPort ?? FIRST_PORT)) log.info({ port }, `port ${fixedPort ?? FIRST_PORT} is taken, so the embedded PostgreSQL listens on ${port} (EMBEDDED_PG_PORT sets it)`);
      break;
    } catch (err) {
      if (!(err instanceof PortTakenError)) throw err;
      // Taken between the check and the start: the next free one, unless the port was asked for.
      if (fixedPort !== undefined) throw portTaken(fixedPort);
    }
  }
  if (!server) throw new EmbeddedDatabaseError(`no free port for the embedded PostgreSQL from ${FIRST_PORT} to ${FIRST_PORT + MORE_PORTS}: set EMBEDDED_PG_PORT to a free one`);
  await writeFile(ownerFile, `${process.pid}\n`);

  const started = server;
  try {
    await createDatabase(started.port);
  } catch (err) {
    await started.stop();
    throw err;
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${started.port}/${DATABASE}`,
    port: started.port,
    directory,
    stop: async () => {
      await started.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

/** The binaries of the installed @embedded-postgres/<platform>-<arch> package (what embedded-postgres itself runs). */
async function locateBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  // Resolved from embedded-postgres, whose optional dependency it is.
  const requireHere = createRequire(import.meta.url);
  const requireThere = createRequire(requireHere.resolve('embedded-postgres'));
  let entry: string;
  try {
    entry = requireThere.resolve(name);
  } catch {
    throw new EmbeddedDatabaseError(`the embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL to use your own PostgreSQL`);
  }
  const { initdb, postgres } = (await import(entry)) as { initdb: string; postgres: string };
  const packageJson = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return { initdb, postgres, root: dirname(dirname(postgres)), version: packageJson.version };
}

/** The `postgres` user's ids, creating the user as embedded-postgres does when there is none. */
async function postgresUser(): Promise<RunAs> {
  const ids = async () => {
    // /etc/passwd answers without starting two processes; `id` also knows users from elsewhere (LDAP).
    const line = (await readFile('/etc/passwd', 'utf8').catch(() => '')).split('\n').find((l) => l.startsWith('postgres:'));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid && gid) return { uid: Number(uid), gid: Number(gid) };
    return { uid: Number((await run('id', ['-u', 'postgres'])).stdout), gid: Number((await run('id', ['-g', 'postgres'])).stdout) };
  };
  try {
    return await ids();
  } catch {
    try {
      await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
      return await ids();
    } catch (err) {
      throw new EmbeddedDatabaseError(
        `PostgreSQL does not run as root, and no "postgres" user exists or could be created (${String(err).slice(0, 200)}): run as a non-root user, or set DATABASE_URL`,
      );
    }
  }
}

/** Whether `user` can enter `path` (search permission on it and on every folder above it). */
function reachable(path: string, user: RunAs): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/**
 * A copy of bin/, lib/ and share/ where the postgres user can run them, made once per version:
 * into a temporary folder first, renamed into place when complete.
 */
async function copyBinaries(binaries: Binaries, user: RunAs): Promise<Binaries> {
  const target = join(ROOT_FALLBACK_DIR, `${binaries.version}-${process.platform}-${process.arch}`);
  const complete = join(target, '.complete');
  if (!existsSync(complete)) {
    await mkdir(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
    await chmod(ROOT_FALLBACK_DIR, 0o755);
    const staging = `${target}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    // Static libraries are only for building extensions: 2 MB nobody here needs.
    await cp(binaries.root, staging, { recursive: true, verbatimSymlinks: true, filter: (source) => !source.endsWith('.a') });
    await writeFile(join(staging, '.complete'), `${binaries.version}\n`);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target).catch(async (err: unknown) => {
      // Another start copied it at the same moment: use theirs.
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(complete)) throw err;
    });
  }
  if (!reachable(join(target, 'bin'), user)) {
    throw new EmbeddedDatabaseError(`the postgres user cannot reach ${target}: make ${ROOT_FALLBACK_DIR} and the folders above it searchable (chmod o+x), or set DATABASE_URL`);
  }
  const relative = (file: string) => join(target, file.slice(binaries.root.length));
  return { ...binaries, initdb: relative(binaries.initdb), postgres: relative(binaries.postgres), root: target };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What /proc says the process is, where there is a /proc; undefined elsewhere. */
function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** The parent of a process, from /proc; undefined where there is none. */
function parentOf(pid: number): number | undefined {
  try {
    const match = /^PPid:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A postmaster.pid in the cluster means a server was not shut down. If the platform that started
 * it is still running (its parent, per /proc; where there is no /proc, the pid kept in
 * DATA_DIR/embedded-postgres.pid), a second server on the same data would fail: say so. Otherwise
 * its platform died without stopping it (kill -9, OOM): stop it the way PostgreSQL likes best
 * (SIGINT, fast shutdown), then start as usual.
 */
async function stopLeftOver(directory: string, ownerFile: string, home: string, log: ReturnType<typeof rootLogger>): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(directory, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0 || !alive(pid)) return; // PostgreSQL clears a stale file itself.
  const command = commandOf(pid);
  if (command !== undefined && !command.includes('postgres')) {
    // The pid was reused by an unrelated process, which PostgreSQL would take for a running server.
    await rm(join(directory, 'postmaster.pid'), { force: true });
    return;
  }
  const parent = parentOf(pid);
  const owner =
    parent !== undefined
      ? parent > 1 && parent !== process.pid && alive(parent) && (commandOf(parent) ?? '').includes('node')
        ? parent
        : undefined
      : Number((await readFile(ownerFile, 'utf8').catch(() => '')).trim()) || undefined;
  if (owner !== undefined && owner !== process.pid && alive(owner)) {
    throw new EmbeddedDatabaseError(
      `DATA_DIR ${home} is in use by another platform that is still running (process ${owner}): stop that one first, or give this one its own DATA_DIR`,
    );
  }
  log.warn({ pid, directory }, `stopping the embedded PostgreSQL (process ${pid}) that an earlier start left running`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 15_000;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL'); // PostgreSQL recovers from this at the next start, as from a crash.
      await new Promise((r) => setTimeout(r, 500));
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ports to try, in order, each checked free on 127.0.0.1 just before. */
async function* candidatePorts(fixedPort: number | undefined): AsyncGenerator<number> {
  if (fixedPort !== undefined) {
    if (!(await portFree(fixedPort))) throw portTaken(fixedPort);
    yield fixedPort;
    return;
  }
  for (let port = FIRST_PORT; port <= FIRST_PORT + MORE_PORTS; port++) if (await portFree(port)) yield port;
}

function portTaken(port: number): EmbeddedDatabaseError {
  return new EmbeddedDatabaseError(`port ${port} (EMBEDDED_PG_PORT) is taken by another program: set EMBEDDED_PG_PORT to a free port, or unset it to use the first free one from ${FIRST_PORT}`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const probe = net.createServer();
    probe.once('error', () => resolvePort(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolvePort(true)));
  });
}

/** The locale embedded-postgres picks, so a cluster made here matches one made by it. */
async function messagesLocale(): Promise<string> {
  try {
    const available = new Set((await run('locale', ['-a'])).stdout.split(/\r?\n/).map((l) => l.trim()));
    return ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C';
  } catch {
    return 'C';
  }
}

async function initialise(binaries: Binaries, directory: string, runAs: RunAs | undefined, onProcessStarted: () => void): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  if (runAs) await chown(directory, runAs.uid, runAs.gid);
  const locale = await messagesLocale();
  const passwordFile = join(tmpdir(), `ap-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
  try {
    const args = [`--pgdata=${directory}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, `--lc-messages=${locale}`];
    const output = await new Promise<string>((resolveRun, reject) => {
      const child = spawn(binaries.initdb, args, { ...runAs, env: { ...process.env, LC_MESSAGES: locale }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('spawn', onProcessStarted);
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolveRun(text) : reject(new EmbeddedDatabaseError(`initdb failed (exit code ${code}): ${lastLines(text)}`))));
    });
    rootLogger().child({ component: 'embedded-postgres' }).debug({ output: lastLines(output) }, 'initdb done');
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function lastLines(text: string, count = 6): string {
  return text.trim().split('\n').slice(-count).join(' | ').slice(0, 1000);
}

class PortTakenError extends Error {}

/** One running postgres, our child process; its log goes to the debug level. */
class Server {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(binaries: Binaries, directory: string, port: number, runAs: RunAs | undefined, onProcessStarted: () => void): Promise<Server> {
    const log = rootLogger().child({ component: 'embedded-postgres' });
    return new Promise((resolveStart, reject) => {
      const child = spawn(binaries.postgres, ['-D', directory, '-p', String(port)], {
        ...runAs,
        env: { ...process.env, LC_MESSAGES: 'C' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.once('spawn', onProcessStarted);
      let recent = '';
      let ready = false;
      // Read for as long as it runs: a full pipe would block its logging, and with it the server.
      child.stderr?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        recent = (recent + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim() !== '') log.debug(line.trim());
        if (!ready && text.includes('database system is ready to accept connections')) {
          ready = true;
          resolveStart(new Server(child, port));
        }
      });
      child.once('error', (err) => reject(new EmbeddedDatabaseError(`could not run ${binaries.postgres}: ${err.message}`)));
      child.once('exit', (code, signal) => {
        if (ready) return;
        if (/Address already in use|could not create lock file "[^"]*\.s\.PGSQL\./.test(recent)) reject(new PortTakenError(`port ${port} is taken`));
        else reject(new EmbeddedDatabaseError(`the embedded PostgreSQL stopped while starting (${signal ?? `exit code ${code}`}): ${lastLines(recent)}`));
      });
      // Should this process end without stopping it (an uncaught error), the server goes too.
      const onExit = () => child.kill('SIGINT');
      process.once('exit', onExit);
      child.once('exit', () => process.off('exit', onExit));
    });
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolveStop) => {
      this.child.once('exit', () => resolveStop());
      this.child.kill('SIGINT');
    });
  }
}

async function createDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${DATABASE}"`);
  } finally {
    await client.end();
  }
}
