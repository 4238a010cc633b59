/** Largest value of a PostgreSQL integer column: numbers that address one (versions, positions) stop here, so a larger one is a 400, not a database error. */
export const MAX_INT32 = 2_147_483_647;
