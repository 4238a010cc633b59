export * from './platform-config.js';
export * from './config.module.js';
export * from './service-configs.js';
