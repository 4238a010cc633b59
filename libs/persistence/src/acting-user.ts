import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';

/** Whose rows the database work in scope may see: a user's, or (named) every user's. */
type Acting = { userId: string; system?: undefined } | { userId?: undefined; system: string };

const storage = new AsyncLocalStorage<Acting | undefined>();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who the database work in scope acts for: every statement a service sends runs with
 * `app.user_id` (or `app.system`) set to it, and the row-level security policies of the
 * user-owned tables show and accept only that user's rows. Outside any scope neither is set, and
 * those tables show nothing.
 *
 * The bus server runs each request in the scope of the user in its envelope. A path that acts for
 * no user (a worker claiming runs, a purge, account cleanup, a schedule tick) says so with
 * `system(reason)`: the one way past the policies, named at each use so that every bypass is found
 * with `grep -rn "ActingUser.system"`.
 */
export const ActingUser = {
  /** Runs `work` for this user (none: nothing of any user's is visible). */
  run<T>(userId: string | undefined, work: () => T): T {
    return storage.run(userId && UUID.test(userId) ? { userId } : undefined, work);
  },
  /** Runs `work` past the row policies, for a reason that names the system path. */
  system<T>(reason: string, work: () => T): T {
    if (reason.trim() === '') throw new Error('ActingUser.system needs a reason');
    return storage.run({ system: reason }, work);
  },
  /** The user in scope, if any. */
  userId(): string | undefined {
    return storage.getStore()?.userId;
  },
};

/** What a session must have set for the scope: `user:<id>`, `system:<reason>`, or '' for neither. */
function wanted(): string {
  const acting = storage.getStore();
  if (!acting) return '';
  return acting.userId !== undefined ? `user:${acting.userId}` : `system:${acting.system}`;
}

const SET = `SELECT set_config('app.user_id', $1, false), set_config('app.system', $2, false)`;
/** SET is prepared once per connection under this name: parsed on every change of scope, it cost the server about 0.1 ms each time. */
const SET_NAME = 'acting_user_set';

/**
 * Starts the text of a statement to be prepared once per connection (see Database.query's
 * `prepare`): its parse and plan are then not paid again on every call. Only for statements whose
 * result columns are listed (no `*`), so that a column added by a migration cannot change them
 * under a connection that prepared them.
 */
export const PREPARED_MARKER = '/* prepared */ ';

/**
 * node-postgres' client, telling the server who acts before each statement whose scope differs
 * from what the session last heard: a pooled connection used for one user after another costs one
 * more round trip, one used for the same user again costs nothing. Session-level (not
 * transaction-local) settings, so the statement that opens a transaction carries them in; a
 * ROLLBACK may undo a setting made inside its transaction, so the client forgets what it set then.
 */
export class ActingUserClient extends pg.Client {
  /** Statements this process sent, the scope's own included (a diagnostic count: round trips per run in the bench). */
  static sent = 0;
  private applied: string | undefined = '';

  // node-postgres' query() has many overloads; this passes every one through unchanged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const scope = wanted();
    ActingUserClient.sent++;
    if (scope !== this.applied) {
      ActingUserClient.sent++;
      const acting = storage.getStore();
      this.applied = scope;
      (super.query({ name: SET_NAME, text: SET, values: [acting?.userId ?? '', acting?.system ?? ''] }) as Promise<unknown>).catch(() => {
        this.applied = undefined;
      });
    }
    const text: unknown = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text;
    if (typeof args[0] === 'string' && args[0].startsWith(PREPARED_MARKER) && Array.isArray(args[1])) {
      // node-postgres parses a named statement once per connection and reuses it after.
      args = [{ name: preparedName(args[0]), text: args[0], values: args[1] }, ...args.slice(2)];
    }
    const result: unknown = (super.query as (...a: unknown[]) => unknown)(...args);
    if (typeof text === 'string' && /^\s*ROLLBACK/i.test(text)) this.applied = undefined;
    return result;
  }
}

const preparedNames = new Map<string, string>();

/** A prepared statement's name: one per distinct text, the same in every connection. */
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    name = `ap_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name;
}
