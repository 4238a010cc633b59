import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** One app running from dist/ as its own process, its output kept for assertions. */
export class AppProcess {
  private child: ChildProcess | undefined;
  output = '';
  exitCode: number | null | undefined;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private env: Record<string, string>,
  ) {}

  static forApp(app: string, env: Record<string, string>): AppProcess {
    return new AppProcess(app, app === 'standalone' ? 'dist/standalone/main.js' : `dist/apps/${app}/main.js`, env);
  }

  start(extraEnv: Record<string, string> = {}): this {
    const entry = resolve(ROOT, this.entry);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (npm test does)`);
    this.output = '';
    this.exitCode = undefined;
    const child = spawn(process.execPath, [entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.on('exit', (code) => (this.exitCode = code));
    this.child = child;
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The port of this process's health listener (HEALTH_PORT=0 picks a free one), once it said so. */
  healthPort(): number | undefined {
    const match = /health listener on port (\d+)/.exec(this.output);
    return match ? Number(match[1]) : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.exitCode !== undefined) throw new Error(`${this.name} exited (${this.exitCode}) before printing ${pattern}:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no shutdown hooks, no flushing; what a crash or an OOM kill looks like. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 8000): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
