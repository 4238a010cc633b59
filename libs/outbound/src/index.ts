// Outbound HTTP to addresses users supply, checked against internal networks after DNS resolution.
export * from './address.js';
export * from './host-allowlist.js';
export * from './outbound-policy.js';
