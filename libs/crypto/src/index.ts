// Encryption at rest for secrets services keep (provider keys, integration credentials).
export * from './keyring.js';
export * from './webhook-signature.js';
