import type { PlatformConfig } from '#config';
import {
  type Broadcast,
  type BusClient,
  type BusServer,
  type EventPublisher,
  InProcessBus,
  InProcessBusClient,
  InProcessBusServer,
  InProcessPublisher,
  JetStreamPublisher,
  Namespace,
  NatsBusClient,
  NatsBroadcast,
  NatsBusServer,
  NatsLink,
} from '#messaging';

/**
 * What one process talks through: NATS when NATS_URL is set, otherwise the in-process bus.
 * Every app in the process shares it (one NATS connection per process).
 */
export class Runtime {
  private constructor(
    readonly config: PlatformConfig,
    private readonly link: NatsLink | undefined,
    private readonly local: InProcessBus | undefined,
    readonly client: BusClient,
  ) {}

  static async create(config: PlatformConfig, processName: string): Promise<Runtime> {
    if (config.natsUrl) {
      const link = await NatsLink.open(config.natsUrl, processName);
      return new Runtime(config, link, undefined, new NatsBusClient(link, new Namespace(config.busNamespace), config.requestTimeoutMs));
    }
    const bus = InProcessBus.shared();
    return new Runtime(config, undefined, bus, new InProcessBusClient(bus, config.requestTimeoutMs));
  }

  get transport(): 'nats' | 'in-process' {
    return this.link ? 'nats' : 'in-process';
  }

  /** The process's bus connection is up (always, in process). */
  isConnected(): boolean {
    return this.client.isConnected();
  }

  createServer(service: string): BusServer {
    return this.link ? new NatsBusServer(service, this.link, new Namespace(this.config.busNamespace), this.config.jetStreamReplicas) : new InProcessBusServer(service, this.local as InProcessBus);
  }

  createBroadcast(): Broadcast {
    return this.link ? new NatsBroadcast(this.link, new Namespace(this.config.busNamespace)) : (this.local as InProcessBus).broadcast;
  }

  createPublisher(): EventPublisher {
    return this.link ? new JetStreamPublisher(this.link, new Namespace(this.config.busNamespace), this.config.jetStreamReplicas) : new InProcessPublisher(this.local as InProcessBus);
  }

  async close(): Promise<void> {
    await this.link?.close();
  }
}
