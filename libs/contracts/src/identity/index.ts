export * from './auth.contracts.js';
export * from './access.contracts.js';
export * from './account.contracts.js';
