export * from './base.entity.js';
export * from './naming.strategy.js';
export * from './data-source.js';
export * from './database.js';
export * from './db-errors.js';
export * from './cursor.js';
export * from './schema-drift.js';
export * from './json-values.js';
