// Integration service contracts: what other services ask of it.
export * from './tool-refs.contracts.js';
