/** Entities of the account features (settings, projects, notifications), registered with the identity DataSource. */
export const ACCOUNT_ENTITIES: Function[] = [];
