import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError, ErrorCode, type RunEventBatch } from '#contracts';
import type { BusClient } from '#messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RunsService } from './runs.service.js';
import { SseStream } from '../http/sse.js';

/** A real socket under a minimal stand-in for the Fastify request and reply the stream uses. */
async function serve(handler: (stream: SseStream) => Promise<void> | void, keepAliveMs = 50): Promise<{ url: string; close: () => Promise<void>; done: Promise<void> }> {
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const server = http.createServer((req, res) => {
    const request = { id: 'req-1', url: req.url ?? '/' } as unknown as FastifyRequest;
    const reply = { raw: res, hijack: () => undefined } as unknown as FastifyReply;
    const stream = new SseStream(request, reply, keepAliveMs);
    stream.open();
    void Promise.resolve(handler(stream)).finally(finished);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/runs/x/events`,
    done,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const batch = (items: RunEventBatch['items'], ended = false): RunEventBatch => ({ items, status: ended ? 'completed' : 'running', ended });
const event = (seq: number, type: string, data: unknown) => ({ seq, type, data, createdAt: new Date(0).toISOString() });

describe('SseStream and the run event pump', () => {
  it('writes id / event / data frames with the headers, then ends after the last batch', async () => {
    const answers = [batch([event(1, 'run.started', { status: 'running' })]), batch([event(2, 'token', { step: 1, text: 'Hi' }), event(3, 'run.completed', { status: 'completed' })], true)];
    const requests: unknown[] = [];
    const bus = { request: async (_c: unknown, data: unknown) => (requests.push(data), answers.shift()), isConnected: () => true } as unknown as BusClient;
    const server = await serve((stream) => new RunsService(bus).pumpEvents({ kind: 'anonymous' } as never, 'run-1', 0, stream));
    try {
      const res = await fetch(server.url);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      expect(res.headers.get('x-request-id')).toBe('req-1');
      expect(await res.text()).toBe(
        'id: 1\nevent: run.started\ndata: {"runId":"run-1","seq":1,"status":"running"}\n\n' +
          'id: 2\nevent: token\ndata: {"runId":"run-1","seq":2,"step":1,"text":"Hi"}\n\n' +
          'id: 3\nevent: run.completed\ndata: {"runId":"run-1","seq":3,"status":"completed"}\n\n',
      );
      expect(requests).toEqual([
        { id: 'run-1', afterSeq: 0, waitMs: 15_000 },
        { id: 'run-1', afterSeq: 1, waitMs: 15_000 },
      ]);
    } finally {
      await server.close();
    }
  });

  it('sends a keep-alive comment after a silence', async () => {
    const server = await serve(() => new Promise((resolve) => setTimeout(resolve, 10_000).unref()), 50);
    try {
      const controller = new AbortController();
      const res = await fetch(server.url, { signal: controller.signal });
      const reader = res.body!.getReader();
      const { value } = await reader.read();
      expect(new TextDecoder().decode(value)).toBe(': keep-alive\n\n');
      controller.abort();
    } finally {
      await server.close();
    }
  });

  it('stops polling at once when the client goes away', async () => {
    let calls = 0;
    const bus = { request: () => (calls++, new Promise(() => undefined)), isConnected: () => true } as unknown as BusClient;
    const server = await serve((stream) => new RunsService(bus).pumpEvents({ kind: 'anonymous' } as never, 'run-1', 0, stream), 10_000);
    try {
      const controller = new AbortController();
      await fetch(server.url, { signal: controller.signal });
      while (calls === 0) await new Promise((r) => setTimeout(r, 5));
      const gone = Date.now();
      controller.abort();
      await server.done;
      expect(Date.now() - gone).toBeLessThan(500);
      expect(calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('ends with an error event when reading fails after the stream started', async () => {
    const bus = { request: async () => Promise.reject(new AppError(ErrorCode.UPSTREAM_TIMEOUT, 'the execution service did not answer within 25000 ms')), isConnected: () => true } as unknown as BusClient;
    const server = await serve((stream) => new RunsService(bus).pumpEvents({ kind: 'anonymous' } as never, 'run-1', 4, stream));
    try {
      expect(await (await fetch(server.url)).text()).toBe('event: error\ndata: {"code":"UPSTREAM_TIMEOUT","message":"the execution service did not answer within 25000 ms"}\n\n');
    } finally {
      await server.close();
    }
  });
});
