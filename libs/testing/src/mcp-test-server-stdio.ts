// The test MCP server on stdio: what an allowlisted stdio command runs in tests (node <this file>).
import { McpTestServer } from './mcp-test-server.js';

await McpTestServer.serveStdio();
