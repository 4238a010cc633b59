// Integration service contracts: what other services ask of it.
export * from './tool-refs.contracts.js';
export * from './tool-registry.contracts.js';
export * from './tool-calls.contracts.js';
export * from './mcp-servers.contracts.js';
export * from './records.contracts.js';
export * from './connections.contracts.js';
