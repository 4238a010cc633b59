import type { Actor, RpcContract } from '#contracts';

export interface RequestOptions {
  actor: Actor;
  /** Defaults to the current request's id, so one id follows a request across every hop. */
  requestId?: string;
  timeoutMs?: number;
}

/** The one way any app calls another. Rejects with AppError only. */
export interface BusClient {
  request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions): Promise<Res>;
  /** True while the transport can carry requests (for readiness). */
  isConnected(): boolean;
}

export const BUS_CLIENT = Symbol('BUS_CLIENT');
