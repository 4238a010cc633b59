import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, listenPort } from '#testing';

/** What `npm start` does when it is not the only one: a killed predecessor, a second platform. */
describe('the embedded PostgreSQL of single-process mode', () => {
  const dirs: string[] = [];
  const running: AppProcess[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-embedded-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as `postgres`, which must enter it
    dirs.push(dir);
    return dir;
  };
  const httpPort = () => listenPort();
  const start = (env: Record<string, string>) => {
    const app = AppProcess.forApp('standalone', { LOG_LEVEL: 'info', ...env }).start();
    running.push(app);
    return app;
  };
  const exited = async (app: AppProcess) => {
    const deadline = Date.now() + 60_000;
    while (app.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return app.exitCode;
  };
  /** Line 1 of postmaster.pid is the server's pid, line 4 its port. */
  const postmaster = (dir: string) => {
    const lines = readFileSync(join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };

  const first = dataDir();
  const firstPort = httpPort();
  let platform: AppProcess;

  afterAll(async () => {
    for (const app of running) await app.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stops the PostgreSQL that a platform killed with kill -9 left running, at the next start', async () => {
    platform = start({ DATA_DIR: first, PORT: String(firstPort) });
    await platform.waitForOutput(/Agent platform is up/, 90_000);
    const orphan = postmaster(first).pid;
    await platform.kill();
    expect(alive(orphan)).toBe(true);

    platform = start({ DATA_DIR: first, PORT: String(firstPort) });
    await platform.waitForOutput(/Agent platform is up/, 90_000);
    expect(platform.output).toContain(`stopping the embedded PostgreSQL (process ${orphan}) that an earlier start left running`);
    expect(alive(orphan)).toBe(false);
  }, 200_000);

  it('refuses a second platform on the same DATA_DIR, naming the process that uses it', async () => {
    const second = start({ DATA_DIR: first, PORT: String(httpPort()) });
    expect(await exited(second)).toBe(1);
    expect(second.output).toContain(`DATA_DIR ${first} is in use by another platform that is still running (process ${platform.pid})`);
    expect(second.output).not.toMatch(/non-error value thrown|\n\s+at /);
  }, 90_000);

  it('gives a second platform its own PostgreSQL port, and names the variable for a taken one', async () => {
    const taken = postmaster(first).port;
    // Another DATA_DIR, but the first platform's HTTP port: its PostgreSQL finds a free port, the gateway cannot.
    const second = start({ DATA_DIR: dataDir(), PORT: String(firstPort), LOG_LEVEL: 'debug' });
    expect(await exited(second)).toBe(1);
    const used = /"port":(\d+),"msg":"using the embedded PostgreSQL/.exec(second.output);
    expect(Number(used?.[1])).toBeGreaterThan(0);
    expect(Number(used?.[1])).not.toBe(taken);
    expect(second.output).toContain(`port ${firstPort} is taken by another program (another platform?): set PORT to a free port`);

    const third = start({ DATA_DIR: dataDir(), PORT: String(httpPort()), EMBEDDED_PG_PORT: String(taken) });
    expect(await exited(third)).toBe(1);
    expect(third.output).toContain(`port ${taken} (EMBEDDED_PG_PORT) is taken by another program: set EMBEDDED_PG_PORT to a free port`);
    expect(third.output).not.toMatch(/non-error value thrown|\n\s+at /);
  }, 200_000);
});
