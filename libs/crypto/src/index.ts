// Encryption at rest for secrets other services keep (provider keys, integration credentials).
export {};
