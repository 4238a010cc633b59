import type { EventEnvelope } from '#contracts';

/** Where the relay sends committed events: JetStream, or the in-process bus. */
export interface EventPublisher {
  /** Resolves only once the event is durably accepted (JetStream ack) or handled (in-process). */
  publish(event: EventEnvelope): Promise<void>;
}
