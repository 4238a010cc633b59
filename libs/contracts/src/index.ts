export * from './errors.js';
export * from './envelope.js';
export * from './contract.js';
export * from './common/services.js';
export * from './common/user-deleted.event.js';
export * from './identity/auth.contracts.js';
export * from './validate.js';
