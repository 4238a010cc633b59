import { type RunErrorInfo, storable } from '#contracts';
import { newId } from '#persistence';
import type { Fence, RunEventsService } from '../run-events/run-events.service.js';
import { LeaseLostError } from './run-engine.errors.js';
import type { HeldStepWrite, RunEngineRepository, StepBegin, StepEnd, StepWrite } from './run-engine.repository.js';
import type { StepFinish, StepJournal, StepStart } from './run-executor.js';
import { RunStepEntity } from './run-step.entity.js';
import type { RunUsage } from './run.entity.js';

const NO_USAGE: RunUsage = { promptTokens: 0, completionTokens: 0, costMicros: 0 };

/**
 * The fenced writer one attempt of one run gets. Writes go one after the other: event numbers
 * are taken in call order and each commits before the next starts, so a reader that has seen
 * event n has seen every event before it.
 */
export class FencedStepJournal implements StepJournal {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly done = new Map<string, RunStepEntity>();
  /** Keys of steps an earlier attempt started and never finished (abandoned): their outcome is unknown. */
  private readonly unfinished = new Set<string>();
  private partial: { value: unknown } | undefined;
  /** Step writes not sent yet, in the order they were made (see step()). */
  private held: HeldStepWrite[] = [];
  /** Why a held end could not be written (not a lost fence): the attempt must not end the run as if it were. */
  heldFailure: unknown;
  private lost = false;

  constructor(
    private readonly repository: RunEngineRepository,
    /** Where events go, and who is told after every committed write so live readers of the run look again. */
    private readonly events: RunEventsService,
    readonly fence: Fence,
    /** Every step of the run so far (any attempt, any status). */
    earlier: readonly RunStepEntity[],
    /** Told once when a write finds the attempt no longer holds the run (the worker stops the attempt's work). */
    private readonly onLost: () => void = () => undefined,
    /**
     * Whether no other worker can hold the run yet: the attempt's lease was taken or renewed less
     * than half a lease ago, by this process's monotonic clock (see RunWorker). Never, when not told.
     */
    private readonly leaseHeld: () => boolean = () => false,
    /** For a run started before its row is written: whether it is (see RunWorker.adopt). Every write waits for it; if false, none is made. */
    written?: Promise<boolean>,
  ) {
    if (written) {
      this.queue = written.then((ok) => {
        if (!ok) this.lost = true;
      });
    }
    for (const step of earlier) {
      if (step.status === 'completed') this.done.set(step.key, step);
      else if (step.status === 'abandoned') this.unfinished.add(step.key);
    }
    for (const key of this.done.keys()) this.unfinished.delete(key);
  }

  /** Every completed step, earlier attempts' first, in journal order. */
  completedSteps(): RunStepEntity[] {
    return [...this.done.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Made storable when read (once, at the run's end), not at every token. */
  get partialOutput(): { value: unknown } | undefined {
    return this.partial && { value: storable(this.partial.value).value };
  }

  /** Resolves once the write in flight (if any) is done, whatever its outcome; with revoke(), nothing more will be written. */
  async drained(): Promise<void> {
    await this.queue;
  }

  /** Stops accepting writes at once (the run was taken away or ended); queued ones fail fast. */
  revoke(): void {
    this.lost = true;
  }

  completed(key: string): RunStepEntity | undefined {
    return this.done.get(key);
  }

  startedBefore(key: string): boolean {
    return this.unfinished.has(key) && !this.done.has(key);
  }

  startStep(step: StepStart): Promise<RunStepEntity> {
    const begin = beginOf(step);
    // The step.started event is written by the same statement.
    return this.write(() => this.sentWithHeld({ start: begin }), false);
  }

  finishStep(step: RunStepEntity, finish: StepFinish): Promise<RunStepEntity> {
    return this.write(async () => {
      const ended = await this.sentWithHeld({ end: endOf(step, finish) });
      if (ended) this.done.set(ended.key, ended);
      return ended;
    }, false);
  }

  async failStep(step: RunStepEntity, error: RunErrorInfo): Promise<void> {
    const end: StepEnd = {
      stepId: step.id,
      end: { status: 'failed', output: null, error: storable(error).value, usage: NO_USAGE },
      event: { type: 'step.failed', data: { error: storable(error).value } },
    };
    await this.write(() => this.sentWithHeld({ end }), false);
  }

  async step<T>(step: StepStart, work: (startFailed: AbortSignal) => Promise<{ output: T } & Omit<StepFinish, 'output'>>): Promise<T> {
    const earlier = this.done.get(step.key);
    if (earlier) return earlier.output as T;
    const begin = beginOf(step);
    const parallel = step.type === 'llm_call' && this.leaseHeld();
    let workSettled = false;
    const starting = this.write(async () => {
      if (workSettled) {
        // The call was answered before its start could be sent (a run started while its row was
        // being written): the start is held with the step's end, and written with it.
        this.held.push({ start: begin });
        return startedLocally(begin, this.fence);
      }
      return this.sentWithHeld({ start: begin });
    }, false);
    const startFailed = new AbortController();
    if (parallel) {
      // Sent while its start is written (a round trip less before the first token): no other worker
      // can have taken the run over, and a start that finds the run gone stops the call at once.
      starting.catch((err: unknown) => startFailed.abort(err));
    } else {
      // Stored before the work: an attempt that no longer holds the run stops here, before it spends.
      await starting;
    }
    let result: { output: T } & Omit<StepFinish, 'output'>;
    try {
      result = await work(startFailed.signal);
      workSettled = parallel;
    } catch (err) {
      workSettled = parallel;
      // A start that failed is the error that counts (the work was stopped for it).
      const started = await starting;
      if (!(err instanceof LeaseLostError)) await this.failStep(started, { code: 'STEP_FAILED', message: err instanceof Error ? err.message : String(err) }).catch(() => undefined);
      throw err;
    }
    // Its end is held to this turn of the event loop: if the attempt ends the run in it (an
    // answer with no tool call), the end goes with the run's end in one round trip (takeHeld);
    // otherwise it is written at the turn's end, or first in the attempt's next write if that
    // comes sooner. The step is done for this attempt now, and goes on with its output as it is
    // stored (what a later attempt would replay).
    const started = await starting;
    const end = endOf(started, result);
    const ended = completedLocally(started, end);
    this.held.push({ end });
    this.done.set(ended.key, ended);
    setImmediate(() => {
      // Revoked: the attempt is over, and whoever ends it takes what is held.
      if (this.held.length > 0 && !this.lost) this.write(async () => true).catch(() => undefined);
    });
    return ended.output as T;
  }

  /**
   * The step writes not sent yet (ends of completed steps, and the starts of those answered before
   * their start was sent), handed over (no longer the journal's to write) to be written with the
   * run's end; called after drained(), so nothing queued comes before them.
   */
  takeHeld(): HeldStepWrite[] {
    const held = this.held;
    this.held = [];
    return held;
  }

  /**
   * Writes what is held, for an attempt that stops without ending the run (after drained(); the
   * fence still decides, revoked or not). Resolves whether or not it was written.
   */
  async writeHeld(): Promise<void> {
    await this.wroteHeld();
  }

  append(type: string, data?: unknown): Promise<number> {
    return this.write(() => this.events.appendFenced(this.fence, type, storable(data).value));
  }

  reportPartial(output: unknown): void {
    this.partial = { value: output };
  }

  /** Writes what is held, in one round trip; false when the fence was gone. */
  private async wroteHeld(): Promise<boolean> {
    const held = this.takeHeld();
    return held.length === 0 || (await this.sent(held, held.length)) !== null;
  }

  /**
   * A step's write, sent after what is held in one round trip (Database.batch): a model step's end
   * and the next tool step's start, say. The step written, or null when the fence was gone.
   */
  private sentWithHeld(write: HeldStepWrite): Promise<RunStepEntity | null> {
    const held = this.takeHeld();
    return this.sent([...held, write], held.length);
  }

  /**
   * Sends step writes in one round trip, their events published once committed; the last step
   * written, or null when the fence was gone (under one fence, all were written or none). A
   * failure other than the fence, with `held` of them held, fails every later write and the
   * attempt (heldFailure): steps its caller took as done are not stored.
   */
  private async sent(writes: HeldStepWrite[], held: number): Promise<RunStepEntity | null> {
    let written: Array<StepWrite | null>;
    try {
      written = await this.repository.writeHeld(this.fence, writes);
    } catch (err) {
      if (held > 0) this.heldFailure ??= err;
      throw err;
    }
    const steps = written.map((w) => this.published(w));
    return steps.every((step) => step !== null) ? steps[steps.length - 1] : null;
  }

  /** A step's write: its events go out live (it committed: a fenced write is a statement of its own); null when the fence was gone. */
  private published(written: StepWrite | null): RunStepEntity | null {
    return publishStepWrite(this.events, written);
  }

  /**
   * Serialises writes; a write that finds the fence gone (null) revokes the journal and throws.
   * What is held is written first, so events keep the order they were made in: here, or by `work`
   * itself (`flushHeld` false: a step's write, which sends it in the same round trip).
   */
  private write<T>(work: () => Promise<T | null>, flushHeld = true): Promise<T> {
    const next = this.queue.then(async () => {
      if (this.heldFailure !== undefined) throw this.heldFailure;
      if (this.lost) throw new LeaseLostError(this.fence.runId, this.fence.attempt);
      let result: T | null = null;
      if (!flushHeld || (await this.wroteHeld())) result = await work();
      if (result === null) {
        if (!this.lost) this.onLost();
        this.lost = true;
        throw new LeaseLostError(this.fence.runId, this.fence.attempt);
      }
      // A step's or token's write: the run's status is as it was.
      this.events.notify(this.fence.runId, { published: true, stateChanged: false });
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Publishes a step write's events once committed (its last tokens first); the step, or null when the fence was gone. */
export function publishStepWrite(events: RunEventsService, written: StepWrite | null): RunStepEntity | null {
  if (!written) return null;
  if (written.before) events.publishAfterCommit(written.before);
  events.publishAfterCommit(written.event);
  return written.step;
}

/** A completed step's end as endStepStatement writes it: its output and error made storable, its usage whole. */
function endOf(step: RunStepEntity, finish: StepFinish): StepEnd {
  const usage = { ...NO_USAGE, ...finish.usage };
  const { value: output, replaced } = storable(finish.output);
  // Text from outside (model output, tool results, fetched pages) is stored with its unstorable
  // characters replaced, and the step says how many.
  const stored = replaced > 0 && isPlainObject(output) ? { ...output, replacedCharacters: replaced } : output;
  return {
    stepId: step.id,
    end: { status: 'completed', output: stored, error: finish.error ? storable(finish.error).value : null, usage },
    event: { type: 'step.completed', data: { usage, ...(replaced > 0 ? { replacedCharacters: replaced } : {}) } },
    ...(finish.pending ? { before: { type: finish.pending.type, data: storable(finish.pending.data).value } } : {}),
    endedAt: performance.now(),
  };
}

/** A step's start as startStepStatement writes it, with its id chosen now. */
function beginOf(step: StepStart): StepBegin {
  return { id: newId(), startedAt: performance.now(), key: step.key, name: step.name, type: step.type, input: storable(step.input).value, model: step.model };
}

/** A step whose start is held, as startStep would answer it once written (its number is the database's to give: 0 until then). */
function startedLocally(begin: StepBegin, fence: Fence): RunStepEntity {
  const step = new RunStepEntity();
  const now = new Date();
  return Object.assign(step, {
    id: begin.id,
    runId: fence.runId,
    seq: 0,
    key: begin.key,
    name: begin.name,
    type: begin.type,
    model: begin.model ?? null,
    status: 'running',
    input: begin.input === undefined ? null : (JSON.parse(JSON.stringify(begin.input)) as unknown),
    output: null,
    error: null,
    usage: { ...NO_USAGE },
    attempt: fence.attempt,
    startedAt: now,
    completedAt: null,
    createdAt: now,
    updatedAt: now,
  });
}

/** The started step as its end will store it (its output as JSON, as the database gives it back). */
function completedLocally(step: RunStepEntity, { end }: StepEnd): RunStepEntity {
  return Object.assign(Object.create(Object.getPrototypeOf(step) as object) as RunStepEntity, step, {
    status: 'completed',
    output: end.output === undefined ? null : (JSON.parse(JSON.stringify(end.output)) as unknown),
    error: end.error,
    usage: { ...step.usage, ...end.usage },
    completedAt: new Date(),
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
