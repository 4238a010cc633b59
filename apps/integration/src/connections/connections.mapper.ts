import type { ConnectionView } from '#contracts';
import type { ConnectionEntity } from './connection.entity.js';

/** Never the tokens: they do not leave the service. */
export function toConnectionView(connection: ConnectionEntity): ConnectionView {
  return {
    id: connection.id,
    provider: connection.provider,
    agentId: connection.agentId,
    accountEmail: connection.accountEmail,
    scopes: connection.scopes,
    status: connection.status,
    expiresAt: connection.expiresAt ? connection.expiresAt.toISOString() : null,
    lastRefreshedAt: connection.lastRefreshedAt ? connection.lastRefreshedAt.toISOString() : null,
    createdAt: connection.createdAt.toISOString(),
  };
}
