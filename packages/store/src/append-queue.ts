import { randomUUID } from 'node:crypto';
import type { InputEvent, State } from '@pasid/domain';
import { type BatchArgument, batchArgument, type DecidedBatch, decideBatch, writeBatches } from './append.js';
import type { Database, Queryable } from './database.js';
import {
  type AppendOptions,
  type AppendResult,
  ConflictError,
  type StoredEvent,
  StoreError,
} from './event-store.js';
import { idempotentReplay } from './idempotency.js';
import type { Position } from './position.js';
import type { SystemRow } from './rows.js';
import type { StateAtVersion } from './state-at-version.js';
import { lockSystems } from './systems.js';

/** At most this many appends share one transaction. */
const MAX_GROUP = 64;

interface QueuedAppend {
  system: string;
  inputs: InputEvent[];
  options: AppendOptions;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** A batch decided in a group, waiting for (then given) its place in the log. */
interface Decided {
  system: string;
  batch: DecidedBatch;
  argument: BatchArgument;
  written: { firstPosition: Position; recordedAt: Date } | null;
}

type Outcome = AppendResult | Decided | { error: StoreError };

type LockedStream = { row: SystemRow; state: State | null };

/**
 * Appends go through a queue: while one transaction commits, the appends that arrive meanwhile
 * wait and then commit together in the next one (group commit). Each batch is still all or
 * nothing: its checks (stream, expected version, ids, rules) all run before it writes, so a
 * failing batch writes nothing and the others in its group go on. Commits stay serialised
 * on the log head (see the README), but one fsync now serves many appends.
 */
export class AppendQueue {
  private readonly queue: QueuedAppend[] = [];
  private inFlight = 0;
  /**
   * Resolves when the last group started has locked its streams. Groups lock in the order they
   * left the queue, so appends to one stream are decided in the order they were called (two
   * groups in flight would otherwise race for the row lock).
   */
  private lockedInTurn: Promise<void> = Promise.resolve();
  /**
   * Two groups on a server: while one waits for its commit (holding the log head), the next
   * already locks and decides; it queues on the log head only for its write. PGlite has one session: one.
   */
  private readonly maxInFlight: number;

  constructor(
    private readonly db: Database,
    private readonly states: StateAtVersion,
  ) {
    this.maxInFlight = db.kind === 'postgres' ? 2 : 1;
  }

  append(system: string, inputs: InputEvent[], options: AppendOptions): Promise<AppendResult> {
    if (!Array.isArray(inputs)) return Promise.reject(new StoreError('INVALID', 'events must be a list'));
    return new Promise((resolve, reject) => {
      this.queue.push({ system, inputs, options, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      this.inFlight += 1;
      void this.runGroup(group).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async runGroup(group: QueuedAppend[]): Promise<void> {
    try {
      await this.commitGroup(group);
    } catch (error) {
      if (group.length === 1 || (error as { commitUncertain?: boolean }).commitUncertain) {
        // A commit whose outcome is unknown is never retried here: that could store a batch twice.
        for (const item of group) item.reject(error);
      } else {
        // Something failed for the group as a whole: commit each alone, so only its cause fails.
        for (const item of group) await this.commitGroup([item]).catch((e: unknown) => item.reject(e));
      }
    }
  }

  private async commitGroup(group: QueuedAppend[]): Promise<void> {
    const turn = this.lockedInTurn;
    let locked = () => {};
    this.lockedInTurn = new Promise((resolve) => {
      locked = resolve;
    });
    const { outcomes, streams } = await this.db
      .writeTransaction(async (tx) => {
        let rows: (SystemRow & { now_text: string })[];
        try {
          await turn;
          rows = await lockSystems(
            tx,
            group.map((g) => g.system),
          );
        } finally {
          locked();
        }
        const streams = new Map(
          rows.map(({ now_text: _, ...row }): [string, LockedStream] => [row.name, { row, state: null }]),
        );
        // recorded_at is hashed: every row of this transaction takes its now() (read with the locks).
        const recordedAt = rows[0]?.now_text ?? '';
        // First every check and decision, in memory; then all the writes in one round trip.
        const outcomes: Outcome[] = [];
        for (const item of group) {
          try {
            outcomes.push(await this.decideOne(tx, item, streams.get(item.system), recordedAt));
          } catch (error) {
            if (!(error instanceof StoreError)) throw error;
            outcomes.push({ error });
          }
        }
        const decided = outcomes.filter((o): o is Decided => 'argument' in o);
        // The write goes out with the COMMIT: the log head is locked for the commit alone.
        const written = await writeBatches(
          tx,
          decided.map((d) => d.argument),
          recordedAt,
          tx,
        );
        decided.forEach((d, i) => {
          d.written = written[i] ?? null;
        });
        return { outcomes, streams };
      })
      // Also when the transaction never began (no connection): the next group must not wait forever.
      .finally(locked);
    for (const [name, stream] of streams) if (stream.state) this.states.remember(name, stream.state);
    let last: { system: string; position: Position } | null = null;
    for (const [i, item] of group.entries()) {
      const outcome = outcomes[i];
      if (!outcome) item.reject(new Error('append lost its outcome'));
      else if ('error' in outcome) item.reject(outcome.error);
      else if ('argument' in outcome) {
        const result = storedResult(outcome);
        const tail = result.events.at(-1);
        if (tail) last = { system: tail.system, position: tail.position };
        item.resolve(result);
      } else item.resolve(outcome);
    }
    if (last) this.db.committed(last);
  }

  /** Checks and decides one batch of a group; throws a StoreError when it must not be written. */
  private async decideOne(
    tx: Queryable,
    item: QueuedAppend,
    stream: LockedStream | undefined,
    recordedAt: string,
  ): Promise<Outcome> {
    const { system, inputs, options } = item;
    if (!stream) throw new StoreError('NOT_FOUND', `no system named ${system}`);
    const replay = await idempotentReplay(tx, system, inputs, options.expectedVersion);
    if (replay) return replay;
    const row = stream.row;
    if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
      throw new ConflictError(system, options.expectedVersion, row.version);
    }
    const before = stream.state ?? (await this.states.latest(tx, row));
    const batch = decideBatch(system, before, inputs, row.last_hash, {
      actor: options.actor,
      correlationId: options.correlationId ?? randomUUID(),
      recordedAt,
    });
    if (batch.events.length === 0)
      return { system, version: row.version, events: [], idempotentReplay: false };
    // The next batch of this stream in the same group starts from here.
    stream.state = batch.after;
    stream.row = { ...row, version: batch.after.version, last_hash: batch.lastHash };
    return { system, batch, argument: batchArgument(system, before, batch), written: null };
  }
}

function storedResult(decided: Decided): AppendResult {
  const { system, batch, written } = decided;
  if (!written) throw new Error('a decided batch was not written');
  const events = batch.events.map(
    (e, i): StoredEvent => ({
      id: e.id,
      position: written.firstPosition + BigInt(i),
      system,
      version: e.version,
      index: e.index,
      kind: e.kind,
      type: e.type,
      data: e.data,
      causationId: e.causation_id,
      correlationId: e.correlation_id,
      actor: e.actor,
      recordedAt: written.recordedAt,
      observedAt: e.observed_at === null ? null : new Date(e.observed_at),
      prevHash: e.prev_hash,
      hash: e.hash,
    }),
  );
  return { system, version: batch.after.version, events, idempotentReplay: false };
}
