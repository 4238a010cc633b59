// Execution service contracts: runs, steps, run events.
export * from './runs.events.js';
export * from './runs.contracts.js';
export * from './builtin-tools.js';
export * from './webhooks.contracts.js';
export * from './embeddings.contracts.js';
export * from './run-event-stream.js';
