#!/usr/bin/env node
// NATS request/reply client benchmark.
//
// Question: the NestJS NATS client (ClientNats from @nestjs/microservices)
// subscribes a fresh inbox for every request (SUB + PUB + UNSUB per call). Is
// a client built on the connection's shared request inbox (nats.js v3
// `nc.request()`, one wildcard `_INBOX.<nuid>.*` subscription multiplexing all
// replies) faster?
//
//   (a) nest : firstValueFrom(new ClientNats(...).send('bench.echo', data))
//   (b) mux  : nc.request('bench.echo', <same Nest envelope>) + JSON decode
//
// Both clients send the same Nest wire envelope {pattern,data,id} and decode
// the same reply {response,isDisposed,id}, to the same responder process, so
// the only difference is the client side. The responder is a separate
// process (default: a plain nats.js queue subscription that speaks Nest's
// wire format; --responder=nest: a real NestJS ServerNats microservice with a
// @MessagePattern('bench.echo') handler).
//
// Usage: node bench/nats-client.bench.mjs [--responder=plain|nest]
//        [--rounds=3] [--duration=3] [--concurrency=64]
// Env:   NATS_URL (default nats://127.0.0.1:4222)
import { randomUUID } from 'node:crypto';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLK_TCK,
  cpuTicks,
  fmt,
  median,
  onCleanup,
  percentile,
  pidsByComm,
  runMain,
  sleep,
  spawnNode,
  table,
  waitForMessage,
} from './lib/util.mjs';

const SUBJECT = 'bench.echo';
const QUEUE = 'bench-echo';
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const HERE = dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function parseArgs(argv) {
  const out = {};
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) out[m[1]] = m[2] ?? true;
  }
  return out;
}
const args = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- responder
async function runResponder(kind) {
  // Die with the parent: the IPC channel closes when the parent exits.
  process.on('disconnect', () => process.exit(0));
  const stop = [];
  const shutdown = async () => {
    for (const fn of stop) await fn().catch(() => {});
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  if (kind === 'plain') {
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: NATS_URL, name: 'bench-echo-responder' });
    stop.push(() => nc.close());
    nc.subscribe(SUBJECT, {
      queue: QUEUE,
      callback: (err, msg) => {
        if (err) return;
        // Nest wire format: request {pattern, data, id} -> reply {response, isDisposed, id}
        // (see @nestjs/microservices server/server-nats.js + server.js send()).
        const req = msg.json();
        msg.respond(JSON.stringify({ response: req.data, isDisposed: true, id: req.id }));
      },
    });
    await nc.flush();
  } else if (kind === 'nest') {
    await import('reflect-metadata');
    const { Controller, Module } = await import('@nestjs/common');
    const { NestFactory } = await import('@nestjs/core');
    const { MessagePattern, Transport } = await import('@nestjs/microservices');
    // Decorators applied by hand (plain JS, no transpiler).
    class EchoController {
      echo(data) {
        return data;
      }
    }
    MessagePattern(SUBJECT)(
      EchoController.prototype,
      'echo',
      Object.getOwnPropertyDescriptor(EchoController.prototype, 'echo'),
    );
    Controller()(EchoController);
    class EchoModule {}
    Module({ controllers: [EchoController] })(EchoModule);
    const app = await NestFactory.createMicroservice(EchoModule, {
      transport: Transport.NATS,
      options: { servers: NATS_URL, queue: QUEUE, name: 'bench-echo-nest-responder' },
      logger: ['error', 'warn'],
    });
    await app.listen();
    stop.push(() => app.close());
  } else {
    throw new Error(`unknown responder kind ${kind}`);
  }
  process.send({ ready: true });
}

// ------------------------------------------------------------------ clients
/** Reads ClientNats.publish() from node_modules and checks it subscribes per request. */
function inspectNestClientSource() {
  // The package's exports map hides package.json: locate it from the main entry.
  const pkgDir = dirname(fileURLToPath(import.meta.resolve('@nestjs/microservices')));
  const file = join(pkgDir, 'client', 'client-nats.js');
  const src = readFileSync(file, 'utf8');
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const start = src.indexOf('    publish(partialPacket, callback) {');
  const end = start >= 0 ? src.indexOf('\n    }\n', start) : -1;
  const body = start >= 0 && end > start ? src.slice(start, end) : '';
  const createsInbox = /createInbox\(/.test(body);
  const subscribesInbox = /natsClient\.subscribe\(inbox/.test(body);
  const unsubscribes = /subscription\.unsubscribe\(\)/.test(body);
  return {
    file: file.slice(file.indexOf('node_modules')),
    version,
    createsInbox,
    subscribesInbox,
    unsubscribes,
    perRequestSubscription: createsInbox && subscribesInbox,
  };
}

/** Subscriptions ever created on a nats.js v3 connection (sid counter). */
function sidCounter(nc) {
  return nc?.protocol?.subscriptions?.sidCounter ?? NaN;
}

async function makeClients() {
  const { firstValueFrom } = await import('rxjs');
  const { ClientNats } = await import('@nestjs/microservices');
  const { Logger } = await import('@nestjs/common');
  Logger.overrideLogger(['error', 'warn']); // ClientNats logs every status change at LOG level
  const { connect, createInbox } = await import('@nats-io/transport-node');

  const nest = new ClientNats({ servers: NATS_URL, name: 'bench-nest-client' });
  await nest.connect();
  onCleanup(() => nest.close());
  const nestNc = nest.unwrap();

  // (b) default options, exactly what "use nc.request()" means out of the box.
  const nc = await connect({ servers: NATS_URL, name: 'bench-mux-client' });
  onCleanup(() => nc.close());
  // (c) same, on a connection with noAsyncTraces: nc.request() then skips
  // capturing two Error stacks per request (it still builds one for its
  // internal "cancelled" rejection and arms a setTimeout per request).
  const ncNoTraces = await connect({ servers: NATS_URL, name: 'bench-mux-client-notraces', noAsyncTraces: true });
  onCleanup(() => ncNoTraces.close());
  // (d) a minimal hand-rolled client on ONE wildcard inbox subscription:
  // token -> resolver map, no per-request timer/Error (like ClientNats, which
  // has no timeout of its own either). Shows what the shared-inbox design
  // itself costs, without nats.js request() bookkeeping.
  const ncHand = await connect({ servers: NATS_URL, name: 'bench-handmux-client' });
  onCleanup(() => ncHand.close());
  const base = `${createInbox()}.`;
  const pending = new Map();
  let tokenSeq = 0;
  ncHand.subscribe(`${base}*`, {
    callback: (err, msg) => {
      if (err) return;
      const token = msg.subject.slice(base.length);
      const resolve = pending.get(token);
      if (resolve) {
        pending.delete(token);
        resolve(msg);
      }
    },
  });
  await ncHand.flush();
  // (e) the platform's own client: libs/messaging's SharedInboxRequester (compiled; `npm run bench`
  // builds first), on a connection opened as NatsLink opens it, with a timeout and a header per
  // request as NatsBusClient sends them.
  const { SharedInboxRequester } = await import('../dist/libs/messaging/src/shared-inbox.requester.js');
  const { headers: natsHeaders } = await import('@nats-io/nats-core');
  const ncPlatform = await connect({ servers: NATS_URL, name: 'bench-platform-client', noAsyncTraces: true });
  onCleanup(() => ncPlatform.close());
  const requester = new SharedInboxRequester(ncPlatform);
  await ncPlatform.flush();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const payload = (i) => ({ n: i, s: 'hello from the bench' });
  const envelope = (i) => JSON.stringify({ pattern: SUBJECT, data: payload(i), id: randomUUID() });
  const check = (res, i) => {
    if (res?.n !== i) throw new Error(`bad echo ${JSON.stringify(res)}`);
  };
  return {
    nest: {
      label: '(a) Nest ClientNats.send()',
      nc: nestNc,
      call: async (i) => check(await firstValueFrom(nest.send(SUBJECT, payload(i))), i),
    },
    mux: {
      label: '(b) nc.request() shared inbox',
      nc,
      call: async (i) => check((await nc.request(SUBJECT, envelope(i), { timeout: 5000 })).json().response, i),
    },
    muxNoTraces: {
      label: '(c) nc.request(), noAsyncTraces',
      nc: ncNoTraces,
      call: async (i) =>
        check((await ncNoTraces.request(SUBJECT, envelope(i), { timeout: 5000 })).json().response, i),
    },
    handMux: {
      label: '(d) hand-rolled shared inbox',
      nc: ncHand,
      call: async (i) => {
        const token = String(++tokenSeq);
        const reply = new Promise((resolve) => pending.set(token, resolve));
        ncHand.publish(SUBJECT, envelope(i), { reply: base + token });
        check((await reply).json().response, i);
      },
    },
    platform: {
      label: '(e) platform SharedInboxRequester',
      nc: ncPlatform,
      call: async (i) => {
        const h = natsHeaders();
        h.set('x-request-id', String(i));
        const outcome = await requester.request(SUBJECT, encoder.encode(envelope(i)), h, 5000);
        if (outcome.kind !== 'reply') throw new Error(`no reply: ${outcome.kind}`);
        check(JSON.parse(decoder.decode(outcome.data)).response, i);
      },
    },
  };
}

/** Runs `client.call` with `concurrency` in-flight requests for `seconds`. */
async function loadPhase(client, { concurrency, seconds, responderPid, natsPid }) {
  const lat = [];
  let errors = 0;
  let firstError = null;
  let seq = 0;
  const subs0 = sidCounter(client.nc);
  const cpu0 = process.cpuUsage();
  const r0 = responderPid ? cpuTicks(responderPid) : null;
  const n0 = natsPid ? cpuTicks(natsPid) : null;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = seq++;
      const s = performance.now();
      try {
        await client.call(i);
        lat.push(performance.now() - s);
      } catch (err) {
        errors++;
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const r1 = responderPid ? cpuTicks(responderPid) : null;
  const n1 = natsPid ? cpuTicks(natsPid) : null;
  const subs = sidCounter(client.nc) - subs0;
  lat.sort((a, b) => a - b);
  const n = lat.length;
  const tickUs = 1e6 / CLK_TCK;
  return {
    requests: n,
    errors,
    firstError: firstError ? String(firstError?.message ?? firstError) : null,
    seconds: elapsed,
    rps: n / elapsed,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    subsCreated: subs,
    subsPerRequest: n ? subs / (n + errors) : NaN,
    cpuUsPerReq: {
      client: n ? (cpu.user + cpu.system) / n : NaN,
      responder: r0 !== null && r1 !== null && n ? ((r1 - r0) * tickUs) / n : NaN,
      natsServer: n0 !== null && n1 !== null && n ? ((n1 - n0) * tickUs) / n : NaN,
    },
  };
}

async function main() {
  const responderKind = args.responder ?? 'plain';
  const rounds = Number(args.rounds ?? 3);
  const seconds = Math.min(5, Number(args.duration ?? 3));
  const concurrency = Number(args.concurrency ?? 64);

  const src = inspectNestClientSource();
  console.log(`NATS client bench: ${NATS_URL}, responder=${responderKind}, ${concurrency} in flight, ${seconds}s x ${rounds} rounds, interleaved`);
  console.log(
    `Source check (${src.file}, @nestjs/microservices ${src.version}): ClientNats.publish() ` +
      (src.perRequestSubscription
        ? `creates a fresh inbox (createInbox) and natsClient.subscribe(inbox) for EVERY request` +
          (src.unsubscribes ? ', and unsubscribes it when the reply observable is torn down.' : '.')
        : `does NOT match the expected per-request-subscription pattern (createInbox=${src.createsInbox}, subscribe(inbox)=${src.subscribesInbox}); re-check the source.`),
  );

  const responder = spawnNode(`responder(${responderKind})`, [SELF, `--as-responder=${responderKind}`], { ipc: true });
  await waitForMessage(responder, (m) => m?.ready, 20000);

  const natsPids = pidsByComm('nats-server');
  const natsPid = natsPids.length === 1 ? natsPids[0] : null;

  const clients = await makeClients();
  const common = { concurrency, seconds, responderPid: responder.pid, natsPid };

  // (a) and (b) answer the question; (c) and (d) explain the answer.
  const keys = String(args.variants ?? 'nest,mux,muxNoTraces,handMux,platform')
    .split(',')
    .filter((k) => clients[k]);
  if (!keys.includes('nest') || !keys.includes('mux')) throw new Error('--variants must include nest and mux');

  // Warm-up (JIT, connection buffers, the mux subscriptions).
  for (const key of keys) await loadPhase(clients[key], { ...common, seconds: 1.5 });

  const results = Object.fromEntries(keys.map((k) => [k, []]));
  const rows = [];
  for (let r = 1; r <= rounds; r++) {
    // Interleaved, and the order rotates each round so no variant always runs first.
    const order = keys.map((_, i) => keys[(i + r - 1) % keys.length]);
    for (const key of order) {
      await sleep(300);
      const res = await loadPhase(clients[key], common);
      results[key].push(res);
      rows.push([
        clients[key].label,
        r,
        fmt(res.rps, 0),
        fmt(res.p50, 2),
        fmt(res.p99, 2),
        res.errors,
        `${res.subsCreated} (${fmt(res.subsPerRequest, 3)}/req)`,
      ]);
      if (res.errors) console.error(`  ${key} round ${r}: ${res.errors} errors, first: ${res.firstError}`);
    }
  }

  console.log('\nPer phase:');
  console.log(table(['client', 'round', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'subscriptions created'], rows));

  const med = (key, f) => median(results[key].map(f));
  const summary = {};
  for (const key of keys) {
    summary[key] = {
      label: clients[key].label,
      rps: med(key, (x) => x.rps),
      p50: med(key, (x) => x.p50),
      p99: med(key, (x) => x.p99),
      cpuClient: med(key, (x) => x.cpuUsPerReq.client),
      cpuResponder: med(key, (x) => x.cpuUsPerReq.responder),
      cpuNats: med(key, (x) => x.cpuUsPerReq.natsServer),
      subsPerRequest: med(key, (x) => x.subsPerRequest),
      errors: results[key].reduce((n, x) => n + x.errors, 0),
    };
  }
  const a = summary.nest;
  const b = summary.mux;
  const ratios = {};
  for (const key of keys) {
    const x = summary[key];
    ratios[key] = { rps: x.rps / a.rps, p50: x.p50 / a.p50, p99: x.p99 / a.p99, cpuClient: x.cpuClient / a.cpuClient };
  }
  console.log(`\nMedian over ${rounds} rounds (ratios are against (a)):`);
  console.log(
    table(
      ['client', 'req/s', 'p50 ms', 'p99 ms', 'subs/req', 'CPU µs/req: client', 'responder', 'nats-server', 'req/s ratio', 'p50 ratio'],
      keys.map((key) => {
        const x = summary[key];
        return [
          x.label,
          fmt(x.rps, 0),
          fmt(x.p50, 2),
          fmt(x.p99, 2),
          fmt(x.subsPerRequest, 3),
          fmt(x.cpuClient),
          fmt(x.cpuResponder),
          fmt(x.cpuNats),
          fmt(ratios[key].rps, 2),
          fmt(ratios[key].p50, 2),
        ];
      }),
    ),
  );
  if (!natsPid) console.log('(nats-server CPU not measured: nats-server pid not found uniquely)');
  else console.log('(nats-server CPU includes any other traffic on the shared server during the phase)');
  console.log(
    `\nRuntime check: the Nest client created ${fmt(a.subsPerRequest, 3)} subscriptions per request ` +
      `(sid counter of its connection); the nc.request() client created ${fmt(b.subsPerRequest, 3)} ` +
      `(its single mux subscription was made during warm-up).`,
  );
  console.log(
    `Answer: (b)/(a) = ${fmt(ratios.mux.rps, 2)}x throughput, ${fmt(ratios.mux.p50, 2)}x p50, ${fmt(ratios.mux.p99, 2)}x p99 ` +
      `at ${concurrency} in flight. ` +
      (ratios.mux.rps >= 1.05
        ? 'The shared inbox is faster.'
        : ratios.mux.rps <= 0.95
          ? 'nc.request() with default options is SLOWER: see client CPU/req; (c)/(d) show where it goes.'
          : 'No material difference.'),
  );

  const outDir = join(HERE, 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'nats-client.json'),
    JSON.stringify(
      { at: new Date().toISOString(), natsUrl: NATS_URL, responder: responderKind, concurrency, seconds, rounds, source: src, results, summary, ratios },
      null,
      2,
    ),
  );
}

if (args['as-responder']) {
  runResponder(args['as-responder']).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  runMain(main);
}
