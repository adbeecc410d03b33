import { randomUUID } from 'node:crypto';
import {
  checkInputEvent,
  type DerivedEvent,
  type InputEvent,
  type LedgerEvent,
  Replayer,
  type State,
} from '@pasid/domain';
import type { Queryable } from './database.js';
import { RejectedEventError } from './event-store.js';
import { eventHash, recordedAtText } from './hash.js';
import { type Position, toPosition } from './position.js';
import { projectionChanges } from './projections.js';
import { type EncodedState, encodeState } from './state-codec.js';

/**
 * A snapshot is written each time a stream crosses a multiple of this many versions, so a state
 * query reads at most this many versions of the log.
 */
export const SNAPSHOT_INTERVAL = 250;

/** One row for `pasid_append`, hashed and chained; its position comes from the database. */
export interface PendingEvent {
  o: number;
  version: number;
  index: number;
  kind: 'input' | 'derived';
  type: string;
  data: LedgerEvent;
  id: string;
  causation_id: string | null;
  correlation_id: string;
  actor: string;
  observed_at: string | null;
  prev_hash: string;
  hash: string;
}

export interface DecidedBatch {
  after: State;
  events: PendingEvent[];
  lastHash: string;
  /** The state at the last multiple of SNAPSHOT_INTERVAL the batch reached, if any. */
  snapshot: { version: number; state: EncodedState } | null;
}

/**
 * Validates and decides a batch on `before`, in memory: the events to store, hashed and
 * chained from `prevHash`, and the state after. `meta.recordedAt` is the writing transaction's
 * `now()` (see `transactionTime`): the value `recorded_at` will take, hashed with the rest. Throws `RejectedEventError` at the first input
 * the schema or the rules refuse (nothing is written then).
 */
export function decideBatch(
  system: string,
  before: State,
  inputs: readonly unknown[],
  prevHash: string,
  meta: { actor: string; correlationId: string; recordedAt: string },
): DecidedBatch {
  const replayer = new Replayer(before);
  const events: PendingEvent[] = [];
  let hash = prevHash;
  let snapshot: DecidedBatch['snapshot'] = null;
  const push = (
    version: number,
    index: number,
    data: LedgerEvent,
    id: string,
    causationId: string | null,
    observedAt: Date | null,
  ) => {
    const kind = index === 0 ? 'input' : 'derived';
    const next = eventHash({
      system,
      version,
      index,
      kind,
      type: data.type,
      data,
      id,
      causationId,
      correlationId: meta.correlationId,
      actor: meta.actor,
      recordedAt: meta.recordedAt,
      observedAt,
      prevHash: hash,
    });
    events.push({
      o: events.length,
      version,
      index,
      kind,
      type: data.type,
      data,
      id,
      causation_id: causationId,
      correlation_id: meta.correlationId,
      actor: meta.actor,
      observed_at: observedAt === null ? null : observedAt.toISOString(),
      prev_hash: hash,
      hash: next,
    });
    hash = next;
  };
  inputs.forEach((raw, i) => {
    const checked = checkInputEvent(raw);
    if (!checked.ok) throw new RejectedEventError(i, checked.field, checked.reason, 'INVALID_EVENT');
    const input: InputEvent = checked.event;
    const decision = replayer.apply(input);
    if (!decision.ok) {
      const { code, field, message } = decision.rejection;
      throw new RejectedEventError(i, field, `${input.type} rejected: ${message}`, code);
    }
    const id = input.id ?? randomUUID();
    const version = replayer.version;
    if (version % SNAPSHOT_INTERVAL === 0) snapshot = { version, state: encodeState(replayer.state) };
    push(version, 0, input, id, null, input.at === undefined ? null : new Date(input.at));
    decision.events.forEach((derived: DerivedEvent, j) => {
      push(version, j + 1, derived, randomUUID(), id, null);
    });
  });
  return { after: replayer.state, events, lastHash: hash, snapshot };
}

/** What `pasid_append` takes for one decided batch: its events and its projection changes. */
export interface BatchArgument {
  system: string;
  events: PendingEvent[];
  changes: ReturnType<typeof projectionChanges> & {
    snapshot?: { policy: string; version: number; state: unknown };
  };
}

export function batchArgument(system: string, before: State, batch: DecidedBatch): BatchArgument {
  const changes: BatchArgument['changes'] = projectionChanges(
    before,
    batch.after,
    batch.events.map((e) => e.data),
    batch.lastHash,
  );
  if (batch.snapshot) changes.snapshot = { policy: batch.after.policy, ...batch.snapshot };
  return { system, events: batch.events, changes };
}

/**
 * Writes decided batches, in order, inside the caller's transaction, in one round trip; returns
 * where each landed.
 */
export async function writeBatches(
  tx: Queryable,
  batches: readonly BatchArgument[],
  recordedAt: string,
): Promise<{ firstPosition: Position; recordedAt: Date }[]> {
  if (batches.length === 0) return [];
  const rows = await tx.query<{
    batch: number;
    first_position: number | string | bigint;
    recorded_at: Date;
    recorded_at_text: string;
  }>(
    `SELECT batch, first_position, recorded_at, ${recordedAtText('recorded_at')} AS recorded_at_text
     FROM pasid_append_batches($1::jsonb) ORDER BY batch`,
    [JSON.stringify(batches)],
  );
  if (rows.length !== batches.length)
    throw new Error('pasid_append_batches wrote a different number of batches');
  // The hashes cover recorded_at: the clock the rows took must be the one they were hashed with.
  const clock = rows.find((row) => row.recorded_at_text !== recordedAt);
  if (clock) {
    throw new Error(
      `recorded_at ${clock.recorded_at_text} differs from the transaction time ${recordedAt} the events were hashed with`,
    );
  }
  return rows.map((row) => ({ firstPosition: toPosition(row.first_position), recordedAt: row.recorded_at }));
}

/** The transaction's `now()`: what `recorded_at` defaults to for every row it inserts. */
export async function transactionTime(tx: Queryable): Promise<string> {
  const [row] = await tx.query<{ now: string }>(`SELECT ${recordedAtText('now()')} AS now`);
  if (!row) throw new Error('the database gave no time');
  return row.now;
}
