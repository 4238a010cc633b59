// Contracts of the access features: API keys, sessions, admin, audit, external identities.
export {};
