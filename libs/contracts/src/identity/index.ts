export * from './auth.contracts.js';
