export * from './expression.js';
export * from './template.js';
