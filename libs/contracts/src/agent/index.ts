// Agent service contracts: subjects, request/reply/event classes.
export * from './agents.contracts.js';
export * from './wizard.contracts.js';
export * from './templates.contracts.js';
export * from './config-cache.contracts.js';
export * from './agent.events.js';
export * from './knowledge-search.contracts.js';
export * from './knowledge-bases-owned.contracts.js';
export * from './knowledge-bases.contracts.js';
export * from './documents.contracts.js';
