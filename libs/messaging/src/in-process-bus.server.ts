import { BusServer } from './bus-server.js';
import type { InProcessBus } from './in-process-bus.js';

export class InProcessBusServer extends BusServer {
  private readonly detach: Array<() => void> = [];

  constructor(
    service: string,
    private readonly bus: InProcessBus,
  ) {
    super(service);
  }

  listen(callback: (...params: unknown[]) => void): void {
    const { health } = this.requireAttachments();
    this.checkGrants();
    this.detach.push(this.bus.respond(health.subject, (raw, caller) => this.answerHealth(raw, caller)));
    for (const [pattern, handler] of this.rpcPatterns()) {
      this.detach.push(this.bus.respond(pattern, (raw, caller, trace) => this.answer(pattern, handler, raw, caller, trace)));
    }
    for (const [pattern, handler] of this.eventPatterns()) {
      this.detach.push(this.bus.subscribe(pattern, async (event) => void (await this.deliverEvent(handler, event))));
    }
    callback();
  }

  listening(): boolean {
    return this.detach.length > 0;
  }

  close(): void {
    for (const undo of this.detach.splice(0)) undo();
  }
}
