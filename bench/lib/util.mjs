// Shared helpers for the benchmarks: child-process bookkeeping (every child
// is killed on exit, error or signal), CPU accounting from /proc, stats and
// table printing. Plain ESM, no build step.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Clock ticks per second for /proc/<pid>/stat utime/stime (getconf CLK_TCK). */
export const CLK_TCK = 100;

const children = new Set();
const cleanups = [];
let cleaningUp = null;

/**
 * Spawns `node <args>` as a tracked child. The node binary is spawned
 * directly (no shell, no npm) so the pid is the server's own pid and
 * /proc/<pid>/stat measures exactly that process.
 * `ipc: true` adds an IPC channel: bench-owned children use it to report
 * readiness and exit when the parent goes away.
 */
export function spawnNode(name, args, { env = {}, cwd, ipc = false, tailBytes = 64 * 1024 } = {}) {
  const stdio = ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio,
  });
  child.benchName = name;
  child.out = '';
  child.err = '';
  const keep = (key) => (chunk) => {
    child[key] += chunk.toString();
    if (child[key].length > tailBytes) child[key] = child[key].slice(-tailBytes);
  };
  child.stdout.on('data', keep('out'));
  child.stderr.on('data', keep('err'));
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      child.exitInfo = { code, signal };
      resolve(child.exitInfo);
    });
  });
  child.on('error', (err) => {
    child.err += `\n[spawn error] ${err.message}\n`;
  });
  children.add(child);
  return child;
}

/** Waits for an IPC message from `child` matching `pred`, or fails on exit/timeout. */
export function waitForMessage(child, pred, timeoutMs, what = 'ready message') {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${child.benchName}: no ${what} within ${timeoutMs} ms\n${tailOf(child)}`));
    }, timeoutMs);
    const onMsg = (m) => {
      if (pred(m)) {
        done();
        resolve(m);
      }
    };
    const onExit = (code, signal) => {
      done();
      reject(new Error(`${child.benchName} exited (code ${code}, signal ${signal}) before ${what}\n${tailOf(child)}`));
    };
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
    };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}

export function tailOf(child, max = 4000) {
  const err = child.err.slice(-max);
  const out = child.out.slice(-max);
  return `--- ${child.benchName} (pid ${child.pid}) stderr ---\n${err}\n--- ${child.benchName} stdout ---\n${out}`;
}

/** Kills one tracked child by pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function killChild(child, graceMs = 4000) {
  if (!children.has(child) || child.exitCode !== null || child.signalCode !== null) return;
  // A profiled app writes its profile on a graceful stop only, which takes longer on a busy machine.
  if (child.profiling) graceMs = Math.max(graceMs, 20_000);
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, graceMs);
  await child.exited;
  clearTimeout(t);
}

export async function killAllChildren() {
  await Promise.all([...children].map((c) => killChild(c)));
}

/** Registers an async cleanup step; steps run in reverse order, after children are killed. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

export function cleanup() {
  if (!cleaningUp) {
    cleaningUp = (async () => {
      await killAllChildren();
      for (const fn of cleanups.reverse()) {
        try {
          await fn();
        } catch (err) {
          console.error(`[bench] cleanup step failed: ${err?.message ?? err}`);
        }
      }
    })();
  }
  return cleaningUp;
}

/**
 * Installs signal/exception handlers so that children are killed and
 * cleanup steps run whatever way the bench ends. `main` is awaited; its
 * failure sets exit code 1.
 */
export async function runMain(main) {
  let signalled = false;
  const onSignal = (sig) => {
    if (signalled) return;
    signalled = true;
    console.error(`\n[bench] ${sig}: cleaning up...`);
    cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', (err) => {
    console.error('[bench] uncaught exception:', err);
    cleanup().finally(() => process.exit(1));
  });
  // Last resort if the process exits without running cleanup (e.g. process.exit
  // somewhere): synchronously SIGKILL what is left.
  process.on('exit', () => {
    for (const c of children) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  let code = 0;
  try {
    await main();
  } catch (err) {
    // After a signal, failures are just the children going away: stay quiet.
    if (signalled) return;
    console.error(`\n[bench] FAILED: ${err?.stack ?? err}`);
    code = 1;
  }
  await cleanup();
  process.exit(code);
}

/** utime+stime in clock ticks for a pid, or null if the process is gone. */
export function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) is in parentheses and may contain spaces: parse after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); utime is field 14, stime field 15.
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return null;
  }
}

/** Pids of processes whose /proc/<pid>/comm equals `comm`. Read-only. */
export function pidsByComm(comm) {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/comm`, 'utf8').trim() === comm) out.push(Number(e));
    } catch {
      /* raced */
    }
  }
  return out;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Percentile (0..100) of an ascending-sorted numeric array, nearest-rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function fmt(n, digits = 1) {
  if (n === null || n === undefined || Number.isNaN(n)) return 'n/a';
  return Number(n).toFixed(digits);
}

/** Renders a plain-text table with right-aligned columns (first column left-aligned). */
export function table(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(all[0]), sep, ...all.slice(1).map(line)].join('\n');
}

/** One JSON request to the platform as the bench user; anything but 2xx throws with the status and the start of the body. */
export async function apiRequest(base, token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text);
}
