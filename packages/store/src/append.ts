import { randomUUID } from 'node:crypto';
import {
  checkInputEvent,
  type DerivedEvent,
  type InputEvent,
  type LedgerEvent,
  Replayer,
  type State,
} from '@pasid/domain';
import type { Queryable, WriteSession } from './database.js';
import { RejectedEventError } from './event-store.js';
import { canonicalJson, eventHashOfJson, recordedAtText } from './hash.js';
import { type Position, toPosition } from './position.js';
import { type HazardRow, hazardRows, systemCounts } from './projections.js';
import { snapshotDue } from './snapshot-policy.js';
import { type EncodedState, encodeState } from './state-codec.js';

export { SNAPSHOT_INTERVAL } from './snapshot-policy.js';

/** One row for `pasid_write`, hashed and chained; its position comes from the database. */
export interface PendingEvent {
  o: number;
  version: number;
  index: number;
  kind: 'input' | 'derived';
  type: string;
  data: LedgerEvent;
  /** `data`'s canonical JSON: hashed, and the text the database stores. */
  json: string;
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
  /** The state at the last version the batch reached where a snapshot is due (`snapshotDue`), if any. */
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
  /**
   * The replayer to decide on, when the caller keeps one whose state is `before` (an import,
   * batch after batch): a fresh one copies the state, which costs as much as the state is large.
   */
  replayer: Replayer = new Replayer(before),
): DecidedBatch {
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
    const json = canonicalJson(data);
    const next = eventHashOfJson(
      {
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
      },
      json,
    );
    events.push({
      o: events.length,
      version,
      index,
      kind,
      type: data.type,
      data,
      json,
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
    if (snapshotDue(version, replayer.state)) snapshot = { version, state: encodeState(replayer.state) };
    push(version, 0, input, id, null, input.at === undefined ? null : new Date(input.at));
    decision.events.forEach((derived: DerivedEvent, j) => {
      push(version, j + 1, derived, randomUUID(), id, null);
    });
  });
  return { after: replayer.state, events, lastHash: hash, snapshot };
}

/** What `pasid_write` takes for one decided batch: its events, new hazards, counts, snapshot. */
export interface BatchArgument {
  system: string;
  events: PendingEvent[];
  hazards: HazardRow[];
  counts: ReturnType<typeof systemCounts>;
  lastHash: string;
  snapshot: { policy: string; version: number; state: unknown } | null;
}

export function batchArgument(system: string, before: State, batch: DecidedBatch): BatchArgument {
  return {
    system,
    events: batch.events,
    hazards: hazardRows(batch.after, before.hazards.length),
    counts: systemCounts(batch.after),
    lastHash: batch.lastHash,
    snapshot: batch.snapshot && { policy: batch.after.policy, ...batch.snapshot },
  };
}

/**
 * One prepared statement for every group: the plan is made once per connection. Its text names
 * each column's array type, so the server parses no JSON but the events' documents.
 */
const WRITE = {
  name: 'pasid_write_v1',
  text: `SELECT first_position, recorded_at, ${recordedAtText('recorded_at')} AS recorded_at_text
    FROM pasid_write($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text, $7::uuid[],
      $8::uuid[], $9::text[], $10::text[], $11::timestamptz[], $12::text[], $13::text[],
      $14::text[], $15::int[], $16::int[], $17::int[], $18::int[], $19::int[], $20::text[], $21::int[],
      $22::text[], $23::int[], $24::int[], $25::text[], $26::int[], $27::int[], $28::text[], $29::int[],
      $30::text[], $31::bool[], $32::bool[], $33::text[], $34::text[], $35::int[], $36::text)`,
};

/**
 * Writes decided batches, in order, inside the caller's transaction, in one round trip (one call
 * of `pasid_write`, a column per array); returns where each landed.
 */
export async function writeBatches(
  tx: Queryable,
  batches: readonly BatchArgument[],
  recordedAt: string,
  /** Given: the write goes with its transaction's COMMIT (see `WriteSession`), which ends there. */
  commit?: WriteSession,
): Promise<{ firstPosition: Position; recordedAt: Date }[]> {
  if (batches.length === 0) return [];
  const e = {
    system: [] as string[],
    version: [] as number[],
    index: [] as number[],
    kind: [] as string[],
    type: [] as string[],
    data: [] as string[],
    id: [] as string[],
    causation: [] as (string | null)[],
    correlation: [] as string[],
    actor: [] as string[],
    observed: [] as (string | null)[],
    prev: [] as string[],
    hash: [] as string[],
  };
  // Per system, folded over its batches: the last counts win, the events add up.
  const systems = new Map<
    string,
    { counts: BatchArgument['counts']; events: number; lastHash: string; last: number }
  >();
  const h = {
    system: [] as string[],
    seq: [] as number[],
    event: [] as number[],
    code: [] as string[],
    tid: [] as (number | null)[],
    pid: [] as (number | null)[],
    device: [] as (string | null)[],
    pasid: [] as (number | null)[],
    reason: [] as (string | null)[],
    observed: [] as (boolean | null)[],
    explained: [] as (boolean | null)[],
  };
  const snap = {
    system: [] as string[],
    policy: [] as string[],
    version: [] as number[],
    state: [] as string[],
  };
  const offsets: number[] = [];
  for (const batch of batches) {
    offsets.push(e.system.length);
    for (const event of batch.events) {
      e.system.push(batch.system);
      e.version.push(event.version);
      e.index.push(event.index);
      e.kind.push(event.kind);
      e.type.push(event.type);
      e.data.push(event.json);
      e.id.push(event.id);
      e.causation.push(event.causation_id);
      e.correlation.push(event.correlation_id);
      e.actor.push(event.actor);
      e.observed.push(event.observed_at);
      e.prev.push(event.prev_hash);
      e.hash.push(event.hash);
    }
    const folded = systems.get(batch.system);
    systems.set(batch.system, {
      counts: batch.counts,
      events: (folded?.events ?? 0) + batch.events.length,
      lastHash: batch.lastHash,
      last: e.system.length,
    });
    for (const row of batch.hazards) {
      h.system.push(batch.system);
      h.seq.push(row.seq);
      h.event.push(row.event);
      h.code.push(row.code);
      h.tid.push(row.tid);
      h.pid.push(row.pid);
      h.device.push(row.device);
      h.pasid.push(row.pasid);
      h.reason.push(row.reason);
      h.observed.push(row.observed);
      h.explained.push(row.explained);
    }
    if (batch.snapshot) {
      snap.system.push(batch.system);
      snap.policy.push(batch.snapshot.policy);
      snap.version.push(batch.snapshot.version);
      snap.state.push(JSON.stringify(batch.snapshot.state));
    }
  }
  const s = [...systems];
  type Written = { first_position: number | string | bigint; recorded_at: Date; recorded_at_text: string };
  const send = (params: unknown[]) =>
    commit
      ? commit.queryAndCommit<Written>(WRITE.text, params, WRITE.name)
      : tx.query<Written>(WRITE.text, params, WRITE.name);
  const [row] = await send([
    e.system,
    e.version,
    e.index,
    e.kind,
    e.type,
    e.data.join('\n'),
    e.id,
    e.causation,
    e.correlation,
    e.actor,
    e.observed,
    e.prev,
    e.hash,
    s.map(([name]) => name),
    s.map(([, v]) => v.counts.version),
    s.map(([, v]) => v.events),
    s.map(([, v]) => v.counts.livePasids),
    s.map(([, v]) => v.counts.hazardCount),
    s.map(([, v]) => v.counts.freedCount),
    s.map(([, v]) => v.lastHash),
    s.map(([, v]) => v.last),
    h.system,
    h.seq,
    h.event,
    h.code,
    h.tid,
    h.pid,
    h.device,
    h.pasid,
    h.reason,
    h.observed,
    h.explained,
    snap.system,
    snap.policy,
    snap.version,
    snap.state.join('\n'),
  ]);
  if (!row) throw new Error('pasid_write returned no row');
  // The hashes cover recorded_at: the clock the rows took must be the one they were hashed with.
  if (row.recorded_at_text !== recordedAt) {
    throw new Error(
      `recorded_at ${row.recorded_at_text} differs from the transaction time ${recordedAt} the events were hashed with`,
    );
  }
  const first = toPosition(row.first_position);
  return offsets.map((offset) => ({ firstPosition: first + BigInt(offset), recordedAt: row.recorded_at }));
}

/** The transaction's `now()`: what `recorded_at` defaults to for every row it inserts. */
export async function transactionTime(tx: Queryable): Promise<string> {
  const [row] = await tx.query<{ now: string }>(`SELECT ${recordedAtText('now()')} AS now`);
  if (!row) throw new Error('the database gave no time');
  return row.now;
}
