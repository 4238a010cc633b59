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
  ServiceBroadcast,
} from '#messaging';

/**
 * What one process talks through: NATS when NATS_URL is set, otherwise the in-process bus.
 * Every app in the process shares it (one NATS connection per process).
 */
export class Runtime {
  private readonly clients = new Map<string, BusClient>();
  private sharedBroadcast: Broadcast | undefined;

  private constructor(
    readonly config: PlatformConfig,
    private readonly link: NatsLink | undefined,
    private readonly local: InProcessBus | undefined,
  ) {}

  /** With NATS_USER/NATS_PASSWORD the connection is that app's NATS user (see Bus credentials in README.md). */
  static async create(config: PlatformConfig, processName: string): Promise<Runtime> {
    if (config.natsUrl) {
      const credentials = config.natsUser !== undefined && config.natsPassword !== undefined ? { user: config.natsUser, password: config.natsPassword } : undefined;
      return new Runtime(config, await NatsLink.open(config.natsUrl, processName, credentials), undefined);
    }
    return new Runtime(config, undefined, InProcessBus.shared());
  }

  /**
   * The client of one app (an injected BUS_CLIENT): it sends as that app, and may call only what
   * the bus permission table grants it. A process connected as one NATS user can be only that app.
   */
  clientFor(identity: string): BusClient {
    if (this.config.natsUser !== undefined && identity !== this.config.natsUser) {
      throw new Error(`this process connects to NATS as "${this.config.natsUser}", so it cannot send as "${identity}"`);
    }
    return this.clientAs(identity);
  }

  /**
   * A client for tests and tools that play several callers: it sends as the service its actor
   * names, or as the gateway for a user. Connected with bus credentials, it is that user's app.
   */
  get client(): BusClient {
    return this.clientAs(this.config.natsUser);
  }

  private clientAs(identity: string | undefined): BusClient {
    const key = identity ?? '';
    let client = this.clients.get(key);
    if (!client) {
      client = this.link
        ? new NatsBusClient(this.link, new Namespace(this.config.busNamespace), this.config.requestTimeoutMs, identity)
        : new InProcessBusClient(this.local as InProcessBus, this.config.requestTimeoutMs, identity);
      this.clients.set(key, client);
    }
    return client;
  }

  get transport(): 'nats' | 'in-process' {
    return this.link ? 'nats' : 'in-process';
  }

  /** The process's bus connection is up (always, in process). */
  isConnected(): boolean {
    return this.link ? this.link.isConnected() : true;
  }

  createServer(service: string): BusServer {
    return this.link ? new NatsBusServer(service, this.link, new Namespace(this.config.busNamespace), this.config.jetStreamReplicas) : new InProcessBusServer(service, this.local as InProcessBus);
  }

  /** The process's broadcasts; for a service, only its own subjects (as its NATS user may). */
  createBroadcast(service?: string): Broadcast {
    this.sharedBroadcast ??= this.link ? new NatsBroadcast(this.link, new Namespace(this.config.busNamespace)) : (this.local as InProcessBus).broadcast;
    return service === undefined ? this.sharedBroadcast : new ServiceBroadcast(this.sharedBroadcast, service);
  }

  createPublisher(): EventPublisher {
    return this.link ? new JetStreamPublisher(this.link, new Namespace(this.config.busNamespace), this.config.jetStreamReplicas) : new InProcessPublisher(this.local as InProcessBus);
  }

  async close(): Promise<void> {
    await this.link?.close();
  }
}
