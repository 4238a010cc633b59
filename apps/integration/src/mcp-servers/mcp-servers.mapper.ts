import type { McpServerView, McpStatusView, McpToolList } from '#contracts';
import type { McpServerCredentialEntity } from './mcp-server-credential.entity.js';
import type { McpServerStatusEntity } from './mcp-server-status.entity.js';
import type { McpServerEntity } from './mcp-server.entity.js';

/** Names of secrets only, never their values. */
export function toMcpServerView(server: McpServerEntity, viewerId: string, credentials: McpServerCredentialEntity | null): McpServerView {
  const filled = new Set(credentials?.slotNames ?? []);
  return {
    id: server.id,
    name: server.name,
    description: server.description,
    projectId: server.ownerId === viewerId ? server.projectId : null,
    transport: server.transport,
    url: server.url,
    command: server.command,
    args: server.args,
    envSet: server.ownerId === viewerId ? server.envNames : [],
    headersSet: server.ownerId === viewerId ? server.headerNames : [],
    credentialSlots: server.credentialSlots.map((slot) => ({ ...slot, isSet: filled.has(slot.name) })),
    connectionId: server.ownerId === viewerId ? server.connectionId : null,
    oauthProvider: server.oauthProvider,
    isShared: server.isShared,
    isOwner: server.ownerId === viewerId,
    isEnabled: server.isEnabled,
    healthStatus: server.healthStatus,
    lastCheckedAt: server.lastCheckedAt ? server.lastCheckedAt.toISOString() : null,
    lastError: server.lastError,
    toolCount: server.tools.length,
    createdAt: server.createdAt.toISOString(),
    updatedAt: server.updatedAt.toISOString(),
  };
}

export function toMcpStatusView(status: McpServerStatusEntity): McpStatusView {
  return { status: status.status, error: status.error, latencyMs: status.latencyMs, toolCount: status.toolCount, checkedAt: status.checkedAt.toISOString() };
}

export function toMcpToolList(server: McpServerEntity): McpToolList {
  return { items: server.tools, discoveredAt: server.toolsDiscoveredAt ? server.toolsDiscoveredAt.toISOString() : null };
}
