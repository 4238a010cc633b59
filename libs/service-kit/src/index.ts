export * from './runtime.js';
export * from './tokens.js';
export * from './service-core.module.js';
export * from './bus-service.js';
export * from './process.js';
export * from './run-service.js';
export * from './project-ownership.js';
export * from './keyring.provider.js';
