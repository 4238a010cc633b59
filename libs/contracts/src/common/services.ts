import { IsIn, IsString } from 'class-validator';
import { Empty, rpc } from '../contract.js';

/** Every app that answers on the bus. The gateway is an edge, not a bus service. */
export const SERVICE_NAMES = ['identity', 'agent', 'workflow', 'conversation', 'integration', 'execution'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export class HealthReply {
  @IsString()
  service: string;

  @IsIn(['ok', 'down'])
  database: 'ok' | 'down';

  @IsString()
  version: string;
}

export function healthContract(service: ServiceName) {
  return rpc<Empty, HealthReply>(`${service}.health.check`, Empty, HealthReply);
}
