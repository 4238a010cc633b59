/** Entities of the access features (API keys, audit log, ...), registered with the identity DataSource. */
export const ACCESS_ENTITIES: Function[] = [];
