// Workflow service contracts: the definition format, and what the execution service asks of it.
export * from './definition.js';
export * from './resolve.contracts.js';
export * from './workflows.contracts.js';
export * from './public-links.contracts.js';
export * from './schedules.contracts.js';
export * from './webhooks.contracts.js';
export * from './webhook.events.js';
