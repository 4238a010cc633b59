import { SETTLED_RUN_STATUSES } from './runs.events.js';

/**
 * Every committed event of a run is published live (core NATS, not durable) on a subject naming
 * the run's owner and the run: `execution.run-events.<ownerId>.<runId>`. The gateway follows a
 * stream by subscribing to the subject of the authenticated user and the run asked for, so a
 * stream can only ever receive events of that user's runs, whatever run id a client sends. The
 * table stays the truth: a reader replays from it (resume, gaps, anything the live path lost).
 */
export const RUN_EVENT_STREAM_PREFIX = 'execution.run-events';

/** What the gateway's NATS user may subscribe to: any owner's, any run's (it is the trust boundary). */
export const RUN_EVENT_STREAM_PATTERN = `${RUN_EVENT_STREAM_PREFIX}.*.*`;

/** The most events one read of a run's stream answers: a full page means there may be more. */
export const RUN_EVENTS_PAGE = 1000;

/** Above this size (JSON of the data) an event goes out without its data: readers read it from the table. */
export const LIVE_RUN_EVENT_MAX_DATA = 64 * 1024;

/** One token of a subject: a uuid-like id, never a subject separator or wildcard. */
const SUBJECT_TOKEN = /^[0-9A-Za-z-]{1,64}$/;

/** The live subject of one run's events; throws on an id that is not one subject token. */
export function runEventStreamSubject(ownerId: string, runId: string): string {
  if (!SUBJECT_TOKEN.test(ownerId) || !SUBJECT_TOKEN.test(runId)) throw new Error('a run event stream is named by an owner id and a run id');
  return `${RUN_EVENT_STREAM_PREFIX}.${ownerId}.${runId}`;
}

/** One stored event as published after its commit. */
export interface LiveRunEvent {
  runId: string;
  seq: number;
  type: string;
  /** Absent when too large to send live: read the event from the table. */
  data?: unknown;
  createdAt: string;
}

const SETTLING_EVENT_TYPES = new Set(SETTLED_RUN_STATUSES.map((status) => `run.${status}`));

/** The event that settles a run (run.completed, run.requires_action, ...): the last of a stream until the run resumes. */
export function isSettlingRunEvent(type: string): boolean {
  return SETTLING_EVENT_TYPES.has(type);
}
