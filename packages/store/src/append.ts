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
import { eventHash } from './hash.js';
import { projectionChanges } from './projections.js';
import { encodeState } from './state-codec.js';

/** A snapshot is written each time a stream crosses a multiple of this many versions. */
export const SNAPSHOT_INTERVAL = 1000;

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
}

/**
 * Validates and decides a batch on `before`, in memory: the events to store, hashed and
 * chained from `prevHash`, and the state after. Throws `RejectedEventError` at the first input
 * the schema or the rules refuse (nothing is written then).
 */
export function decideBatch(
  system: string,
  before: State,
  inputs: readonly unknown[],
  prevHash: string,
  meta: { actor: string; correlationId: string },
): DecidedBatch {
  const replayer = new Replayer(before);
  const events: PendingEvent[] = [];
  let hash = prevHash;
  const push = (
    version: number,
    index: number,
    data: LedgerEvent,
    id: string,
    causationId: string | null,
    observedAt: Date | null,
  ) => {
    const next = eventHash({
      system,
      version,
      index,
      type: data.type,
      data,
      id,
      causationId,
      correlationId: meta.correlationId,
      actor: meta.actor,
      observedAt,
      prevHash: hash,
    });
    events.push({
      o: events.length,
      version,
      index,
      kind: index === 0 ? 'input' : 'derived',
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
    push(version, 0, input, id, null, input.at === undefined ? null : new Date(input.at));
    decision.events.forEach((derived: DerivedEvent, j) => {
      push(version, j + 1, derived, randomUUID(), id, null);
    });
  });
  return { after: replayer.state, events, lastHash: hash };
}

/** Writes a decided batch inside the caller's transaction; returns where it landed. */
export async function writeBatch(
  tx: Queryable,
  system: string,
  before: State,
  batch: DecidedBatch,
): Promise<{ firstPosition: number; recordedAt: Date }> {
  const changes = projectionChanges(
    before,
    batch.after,
    batch.events.map((e) => e.data),
    batch.lastHash,
  );
  if (Math.floor(before.version / SNAPSHOT_INTERVAL) < Math.floor(batch.after.version / SNAPSHOT_INTERVAL)) {
    await tx.query(
      `INSERT INTO snapshots (system, policy, version, state) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT DO NOTHING`,
      [system, batch.after.policy, batch.after.version, JSON.stringify(encodeState(batch.after))],
    );
  }
  const [row] = await tx.query<{ first_position: number | string; recorded_at: Date }>(
    'SELECT first_position, recorded_at FROM pasid_append($1, $2::jsonb, $3::jsonb)',
    [system, JSON.stringify(batch.events), JSON.stringify(changes)],
  );
  if (!row) throw new Error('pasid_append returned nothing');
  return { firstPosition: Number(row.first_position), recordedAt: row.recorded_at };
}
