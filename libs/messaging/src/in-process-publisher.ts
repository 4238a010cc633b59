import type { EventEnvelope } from '#contracts';
import type { EventPublisher } from './event-publisher.js';
import type { InProcessBus } from './in-process-bus.js';

export class InProcessPublisher implements EventPublisher {
  constructor(private readonly bus: InProcessBus) {}

  publish(event: EventEnvelope): Promise<void> {
    return this.bus.publish(event);
  }
}
