// The cost of metrics and tracing on a hot read route.
//
// tracing   : GET /api/v1/agents/:id on two platforms started alike, except that
//             one exports traces over OTLP/HTTP (protobuf, the default) to a
//             local sink (OTEL_EXPORTER_OTLP_ENDPOINT set) and the other has no
//             OTEL_* variable, so it starts no SDK. Rounds interleave the two;
//             req/s, p50 and CPU µs per request of the gateway and the services
//             the request touches (identity, agent) are compared.
// metrics   : always on (one prom-client registry per process). What a request
//             adds is its observations: the gateway's HTTP histogram, the bus
//             client's and the service's bus histograms (two bus requests per
//             read: identity's credential check and agent.agents.get). Timed
//             here in process, per request, on the Metrics of dist/.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** An OTLP/HTTP collector that accepts every export and counts what it got. */
export async function startOtlpSink() {
  const received = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk) => (bytes += chunk.length));
    req.on('end', () => {
      received.requests += 1;
      received.bytes += bytes;
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    received,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** ns per request of the metric observations a GET /api/v1/agents/:id makes (process-wide, all processes added up). */
export async function measureMetricsCalls(root, iterations = 200_000) {
  const { Metrics } = await import(`${root}/dist/libs/observability/src/index.js`);
  const once = () => {
    Metrics.httpRequest('GET', '/api/v1/agents/:id', 200, 0.004);
    Metrics.busRequest('identity.credentials.verify', 'ok', 0.001);
    Metrics.busHandled('identity.credentials.verify', 'ok', 0.0008);
    Metrics.busRequest('agent.agents.get', 'ok', 0.001);
    Metrics.busHandled('agent.agents.get', 'ok', 0.0008);
  };
  for (let i = 0; i < 20_000; i++) once();
  const rounds = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) once();
    rounds.push(((performance.now() - t0) * 1e6) / iterations);
  }
  rounds.sort((a, b) => a - b);
  const t0 = performance.now();
  const text = await Metrics.text();
  return { nsPerRequest: rounds[2], scrapeMs: performance.now() - t0, scrapeBytes: text.length };
}

/**
 * Interleaved rounds of the same load on both platforms.
 * @param {object} o
 * @param {Record<'off'|'on', { base: string, token: string, agentId: string, procs: Record<string, { pid: number }> }>} o.targets
 */
export async function measureTracingCost({ targets, autocannon, rounds, duration, warmup, connections, log, median }) {
  const phase = (name, seconds) =>
    autocannon({
      url: `${targets[name].base}/api/v1/agents/${targets[name].agentId}`,
      headers: { Authorization: `Bearer ${targets[name].token}` },
      connections,
      duration: seconds,
      pids: Object.fromEntries(['gateway', 'identity', 'agent'].map((app) => [app, [targets[name].procs[app].pid]])),
    });
  for (const name of ['off', 'on']) {
    const w = await phase(name, warmup);
    log(`observability-cost warm-up tracing ${name}: ${Math.round(w.rps)} req/s, non-2xx ${w.non2xx}`);
  }
  const results = { off: [], on: [] };
  for (let r = 1; r <= rounds; r++) {
    for (const name of r % 2 ? ['off', 'on'] : ['on', 'off']) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const res = await phase(name, duration);
      results[name].push(res);
      log(`observability-cost round ${r} tracing ${name}: ${Math.round(res.rps)} req/s, p50 ${res.p50} ms, non-2xx ${res.non2xx}, errors ${res.errors}`);
    }
  }
  const summary = {};
  for (const name of ['off', 'on']) {
    const rs = results[name];
    const cpu = (app) => median(rs.map((x) => x.cpuUsPerReq[app]));
    summary[name] = {
      rps: median(rs.map((x) => x.rps)),
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      cpuUsPerReq: { gateway: cpu('gateway'), identity: cpu('identity'), agent: cpu('agent') },
      failures: rs.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0),
    };
  }
  return summary;
}
