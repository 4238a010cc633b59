export * from './platform-config.js';
export * from './config.module.js';
