export * from './request-context.js';
export * from './describe-error.js';
export * from './logger.js';
