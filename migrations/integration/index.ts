import { CreateIntegrationSchema1763900000400 } from './1763900000400-CreateIntegrationSchema.js';
import { CreateToolsAndMcpServers1766000000400 } from './1766000000400-CreateToolsAndMcpServers.js';
import { CreateConnections1766000000401 } from './1766000000401-CreateConnections.js';
import { McpServerOAuth1767100000400 } from './1767100000400-McpServerOAuth.js';
import { ToolsRowLevelSecurity1767950000400 } from './1767950000400-ToolsRowLevelSecurity.js';
import { ConnectionsRowLevelSecurity1767950000401 } from './1767950000401-ConnectionsRowLevelSecurity.js';
import { McpServersRowLevelSecurity1768200000400 } from './1768200000400-McpServersRowLevelSecurity.js';

export const integrationMigrations = [CreateIntegrationSchema1763900000400, CreateToolsAndMcpServers1766000000400, CreateConnections1766000000401, McpServerOAuth1767100000400, ToolsRowLevelSecurity1767950000400, ConnectionsRowLevelSecurity1767950000401, McpServersRowLevelSecurity1768200000400];
