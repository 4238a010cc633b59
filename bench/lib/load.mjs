// Runs the autocannon CLI as its own process (so the load generator never
// shares an event loop with a measured server) and samples the CPU time of
// the measured processes just before and after it.
import { fileURLToPath } from 'node:url';
import { CLK_TCK, cpuTicks, spawnNode, tailOf } from './util.mjs';

const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

/**
 * @param {object} o
 * @param {string} o.url
 * @param {string} [o.method] GET unless given
 * @param {string} [o.body] request body (sent with content-type application/json)
 * @param {Record<string,string>} o.headers
 * @param {number} o.connections
 * @param {number} o.duration seconds (<= 5)
 * @param {Record<string, number[] | (() => Promise<number[]>)>} o.pids
 *   name -> pids whose CPU is sampled. A function is re-evaluated before and
 *   after the phase (postgres backends come and go): a pid new after the
 *   phase counts from 0, a pid gone after it is lost (so: approximate).
 */
export async function autocannon({ url, method = 'GET', body, headers = {}, connections, duration, pids = {} }) {
  const args = [AUTOCANNON, '-c', String(connections), '-d', String(duration), '--json', '--no-progress', '-t', '10', '-m', method];
  const all = body === undefined ? headers : { ...headers, 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(all)) args.push('-H', `${k}=${v}`);
  if (body !== undefined) args.push('-b', body);
  args.push(url);

  const before = await sample(pids);
  const child = spawnNode('autocannon', args);
  const { code, signal } = await child.exited;
  const after = await sample(pids);
  if (code !== 0) throw new Error(`autocannon exited with ${code ?? signal}\n${tailOf(child)}`);
  const json = JSON.parse(child.out.slice(child.out.indexOf('{')));

  const completed = json['2xx'] + json.non2xx;
  const seconds = json.duration;
  const cpuUsPerReq = {};
  for (const name of Object.keys(pids)) {
    let ticks = 0;
    for (const [pid, t] of after[name]) {
      const t0 = before[name].get(pid);
      ticks += t - (t0 === undefined && typeof pids[name] === 'function' ? 0 : t0);
    }
    if (after[name].size === 0) ticks = NaN;
    cpuUsPerReq[name] = completed > 0 && Number.isFinite(ticks) ? (ticks * 1e6) / CLK_TCK / completed : NaN;
  }
  return {
    requests: completed,
    seconds,
    rps: completed / seconds,
    p50: json.latency.p50,
    p99: json.latency.p99,
    mean: json.latency.average,
    non2xx: json.non2xx,
    errors: json.errors,
    timeouts: json.timeouts,
    cpuUsPerReq,
  };
}

/** pid -> utime+stime ticks per group; a fixed pid that vanished makes the group NaN. */
async function sample(pids) {
  const out = {};
  for (const [name, spec] of Object.entries(pids)) {
    const list = typeof spec === 'function' ? await spec() : spec;
    const m = new Map();
    for (const pid of list) {
      const t = cpuTicks(pid);
      if (t !== null) m.set(pid, t);
      else if (typeof spec !== 'function') m.set(pid, NaN);
    }
    out[name] = m;
  }
  return out;
}
