import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_PASID,
  DEFAULT_POLICY,
  formatHistoryEvent,
  formatHistoryHeader,
  HistoryError,
  type HistoryHeader,
  HistoryLineReader,
  type InputEvent,
  initialState,
  type Policy,
  Replayer,
  type State,
} from '@pasid/domain';
import {
  type BatchArgument,
  type DecidedBatch,
  decideBatch,
  type PendingEvent,
  transactionTime,
  writeBatches,
} from './append.js';
import { copyField, type Queryable, type Session } from './database.js';
import {
  HistoryImportError,
  type ImportOptions,
  type ImportProgress,
  RejectedEventError,
} from './event-store.js';
import { GENESIS_HASH } from './hash.js';
import { explainIdConflict } from './import-id-conflict.js';
import { inputsOf } from './log-reads.js';
import { type Position, START_POSITION, toPosition } from './position.js';
import { hazardRows, systemCounts } from './projections.js';
import type { SystemRow } from './rows.js';
import { SNAPSHOT_INTERVAL } from './snapshot-policy.js';

export type InsertSystem = (
  tx: Queryable,
  input: { name: string; policy: Policy; maxPasid?: number },
  actor: string,
) => Promise<SystemRow>;

/**
 * How an import's events reach the log before its commit (`ImportOptions.bulk`). `direct` (the
 * default): the log head is locked when the first COPY is about to be sent and the rows are
 * copied straight into `events` with their positions, written once; every other writer's commit
 * waits from then until the import commits. `staged`: COPY into a temporary table, then one
 * INSERT ... SELECT that gives them their positions, so the lock is held only from that INSERT
 * to the commit, never while the source is read and decided: the rows are written twice, but a
 * source that arrives slowly (an upload) never holds other writers back. PGlite has one session,
 * so every other write waits for the import anyway: it is always `direct`.
 */
export type BulkMode = NonNullable<ImportOptions['bulk']>;

/** Events per COPY: a few MB of rows, big enough that its round trip costs nothing beside it. */
const COPY_EVENTS = 20_000;

/** The columns of an event row an import copies (the position and system come from the mode). */
const EVENT_COLUMNS = [
  'version',
  'index',
  'kind',
  'type',
  'data',
  'id',
  'causation_id',
  'correlation_id',
  'actor',
  'observed_at',
  'prev_hash',
  'hash',
] as const;

/**
 * One event as the tail of a COPY text row (after its position or offset). Only the data and the
 * actor can hold a character COPY escapes: the type is a domain event name, ids are UUIDs (the
 * schema checks an input's), hashes are hex; `actor` comes escaped (it is the same for every row).
 */
function copyRowTail(e: PendingEvent, actor: string): string {
  return `${e.version}\t${e.index}\t${e.kind}\t${e.type}\t${copyField(e.json)}\t${e.id}\t${e.causation_id ?? '\\N'}\t${e.correlation_id}\t${actor}\t${e.observed_at ?? '\\N'}\t${e.prev_hash}\t${e.hash}\n`;
}

const SNAPSHOT_COLUMNS = ['system', 'policy', 'version', 'state'] as const;

/** Snapshots of `system` as COPY text rows. */
function snapshotRows(system: SystemRow, due: readonly { version: number; state: unknown }[]): string {
  const prefix = `${copyField(system.name)}\t${copyField(system.policy)}\t`;
  let out = '';
  for (const s of due) out += `${prefix}${s.version}\t${copyField(JSON.stringify(s.state))}\n`;
  return out;
}

/** Where the bulk of an import's events go: rows copied as they come, positions given at the end. */
interface EventSink {
  /** COPY rows for `events`, the first at `offset` (0 for the import's first event). */
  rows(offset: number, events: readonly PendingEvent[]): string;
  write(rows: string): Promise<void>;
  /** Gives the `count` copied events their positions; the log head stays locked until commit. */
  finish(count: number): Promise<void>;
}

/** Opens the sink of `mode` for a new stream's events: the staging table, or the locked log head. */
async function openEventSink(tx: Session, system: string, actor: string, mode: BulkMode): Promise<EventSink> {
  const escapedActor = copyField(actor);
  if (mode === 'staged') {
    await tx.exec(
      `CREATE TEMPORARY TABLE pasid_import_events (
         o bigint, version integer, index integer, kind text, type text, data json, id uuid,
         causation_id uuid, correlation_id text, actor text, observed_at timestamptz(6),
         prev_hash text, hash text, UNIQUE (id)) ON COMMIT DROP`,
    );
    return {
      rows(offset, events) {
        let out = '';
        for (let i = 0; i < events.length; i++) {
          out += `${offset + i}\t${copyRowTail(events[i] as PendingEvent, escapedActor)}`;
        }
        return out;
      },
      write: (rows) => tx.copyRows('pg_temp.pasid_import_events', ['o', ...EVENT_COLUMNS], rows),
      async finish(count) {
        await tx.query(
          `WITH head AS (
             UPDATE log_head SET position = position + $2 WHERE id = 1 RETURNING position - $2 AS base)
           INSERT INTO events (position, system, ${EVENT_COLUMNS.join(', ')})
           SELECT head.base + 1 + s.o, $1, ${EVENT_COLUMNS.map((c) => `s.${c}`).join(', ')}
           FROM pg_temp.pasid_import_events s CROSS JOIN head`,
          [system, count],
        );
        await countEvents(tx, system, count);
      },
    };
  }
  const [locked] = await tx.query<{ position: number | string | bigint }>(
    'SELECT position FROM log_head WHERE id = 1 FOR UPDATE',
  );
  if (!locked) throw new Error('log_head has no row');
  const head = toPosition(locked.position);
  const name = copyField(system);
  return {
    rows(offset, events) {
      // Positions as numbers while they are exact, bigints beyond 2^53.
      const first = head + 1n + BigInt(offset);
      const last = first + BigInt(events.length);
      let out = '';
      if (last <= BigInt(Number.MAX_SAFE_INTEGER)) {
        const base = Number(first);
        for (let i = 0; i < events.length; i++) {
          out += `${base + i}\t${name}\t${copyRowTail(events[i] as PendingEvent, escapedActor)}`;
        }
      } else {
        for (let i = 0; i < events.length; i++) {
          out += `${first + BigInt(i)}\t${name}\t${copyRowTail(events[i] as PendingEvent, escapedActor)}`;
        }
      }
      return out;
    },
    write: (rows) => tx.copyRows('events', ['position', 'system', ...EVENT_COLUMNS], rows),
    async finish(count) {
      await tx.query('UPDATE log_head SET position = $1 WHERE id = 1', [String(head + BigInt(count))]);
      await countEvents(tx, system, count);
    },
  };
}

async function countEvents(tx: Session, system: string, count: number): Promise<void> {
  await tx.query('UPDATE systems SET event_count = event_count + $2 WHERE name = $1', [system, count]);
}

/**
 * Streams a history file into a new system inside the caller's transaction. Lines are parsed and
 * decided through the domain (`decideBatch`, in steps that end on snapshot boundaries) and hashed
 * as they come; their events are copied to the database `COPY_EVENTS` at a time (the next step is
 * decided while the database takes the last), so the file is never held whole and the time is
 * linear in its size. The last step goes through `writeBatches` as any append does, with all the
 * stream's hazards and counts, written once. Any bad line throws `HistoryImportError` with its line number and
 * the transaction stores nothing.
 */
export async function importHistoryInto(
  tx: Session,
  source: string | AsyncIterable<string | Uint8Array>,
  options: ImportOptions,
  insertSystem: InsertSystem,
  mode: BulkMode,
): Promise<{ system: string; version: number; lastPosition: Position; state: State }> {
  const correlationId = randomUUID();
  const reader = new HistoryLineReader();
  let header: HistoryHeader | undefined;
  let row: SystemRow | undefined;
  let state: State | undefined;
  // One replayer for the whole import: a fresh one per batch would copy the state each time.
  let replayer: Replayer | undefined;
  let hash = GENESIS_HASH;
  let recordedAt: string | undefined;
  let pending: { line: number; event: InputEvent }[] = [];
  // The file's line of each input version (index = version): what a refused id is named by.
  const lineOfVersion: number[] = [];
  const lineOf = (version: number) => lineOfVersion[version];
  // The last decided step: written at the end by writeBatches, as an append is.
  let held: DecidedBatch | undefined;
  let sink: EventSink | undefined;
  let copied = 0;
  // Decided steps not yet sent, as rows only when they are sent (the positions are known then).
  let buffered: PendingEvent[][] = [];
  let eventsInBuffer = 0;
  let snapshots: { version: number; state: unknown }[] = [];
  let inflight: Promise<void> = Promise.resolve();
  const progress: ImportProgress = { lines: 0, inputs: 0, events: 0, bytes: 0 };
  const open = async () => {
    if (row) return row;
    const name = options.system ?? header?.system;
    if (!name)
      throw new HistoryImportError(
        1,
        'system',
        'no system name: give one or put it in the header',
        'NO_SYSTEM',
      );
    const policy = options.policy ?? header?.policy ?? DEFAULT_POLICY;
    row = await insertSystem(
      tx,
      { name, policy, maxPasid: header?.maxPasid ?? DEFAULT_MAX_PASID },
      options.actor,
    );
    state = initialState({ policy, maxPasid: row.max_pasid });
    replayer = new Replayer(state);
    state = replayer.state;
    return row;
  };
  /** Sends the buffered events (and snapshots) while the next ones are decided. */
  const send = async () => {
    if (eventsInBuffer === 0 || !row) return;
    const current = row;
    const steps = buffered;
    const due = snapshots;
    buffered = [];
    eventsInBuffer = 0;
    snapshots = [];
    // Opened at the first send: in `direct` mode this locks the log head, as late as it can be.
    sink ??= await openEventSink(tx, row.name, options.actor, mode);
    const target = sink;
    let batch = '';
    for (const events of steps) {
      batch += target.rows(copied, events);
      copied += events.length;
    }
    await inflight;
    inflight = (async () => {
      try {
        await target.write(batch);
      } catch (error) {
        throw explainIdConflict(error, steps, lineOf);
      }
      // COPY too: one jsonb parse per state (an array of them parsed, split and re-encoded by
      // jsonb_array_elements cost a tenth of a PGlite import).
      if (due.length > 0) await tx.copyRows('snapshots', SNAPSHOT_COLUMNS, snapshotRows(current, due));
    })();
    // Awaited at the next send or at the end; a failure is seen there, never lost.
    inflight.catch(() => {});
    progress.events = copied;
    options.onProgress?.({ ...progress });
  };
  /** Moves the held step to the bulk rows: it was not the last one. */
  const spill = async () => {
    if (!held || !row) return;
    buffered.push(held.events);
    eventsInBuffer += held.events.length;
    if (held.snapshot) snapshots.push({ version: held.snapshot.version, state: held.snapshot.state });
    held = undefined;
    if (eventsInBuffer >= COPY_EVENTS) await send();
  };
  const decide = async () => {
    const current = await open();
    if (pending.length === 0 || !state) return;
    const lines = pending;
    pending = [];
    recordedAt ??= await transactionTime(tx);
    const before = state.version;
    let batch: DecidedBatch;
    try {
      batch = decideBatch(
        current.name,
        state,
        lines.map((l) => l.event),
        hash,
        { actor: options.actor, correlationId, recordedAt },
        replayer,
      );
    } catch (error) {
      if (!(error instanceof RejectedEventError)) throw error;
      const line = lines[error.eventIndex]?.line ?? 0;
      throw new HistoryImportError(line, error.field, error.reason, error.rejectionCode);
    }
    for (const [i, l] of lines.entries()) lineOfVersion[before + i + 1] = l.line;
    await spill();
    held = batch;
    state = batch.after;
    hash = batch.lastHash;
    progress.inputs = state.version;
  };
  const take = async (lines: ReturnType<HistoryLineReader['push']>) => {
    for (const line of lines) {
      progress.lines = line.line;
      if ('header' in line) {
        header = line.header;
        // A history of another system is refused, wherever its header is (after any blank lines).
        if (
          options.headerMustMatch &&
          options.system !== undefined &&
          header.system !== undefined &&
          header.system !== options.system
        ) {
          throw new HistoryImportError(
            line.line,
            'system',
            `the header names system "${header.system}", not "${options.system}"`,
            'SYSTEM_MISMATCH',
          );
        }
        continue;
      }
      pending.push(line);
      // Steps end on snapshot boundaries: decideBatch keeps the last snapshot due in a step.
      if (((state?.version ?? 0) + pending.length) % SNAPSHOT_INTERVAL === 0) await decide();
    }
  };
  try {
    if (typeof source === 'string') {
      progress.bytes = Buffer.byteLength(source);
      await take(reader.push(source));
    } else {
      for await (const chunk of source) {
        progress.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
        await take(reader.push(chunk));
      }
    }
    await take(reader.end());
  } catch (error) {
    await inflight.catch(() => {});
    if (error instanceof HistoryError) {
      throw new HistoryImportError(error.line, error.field, error.reason, error.code);
    }
    throw error;
  }
  await decide();
  await send();
  await inflight;
  const system = row as SystemRow | undefined;
  if (!system || !state) throw new Error('import opened no system');
  let lastPosition = START_POSITION;
  if (held && recordedAt) {
    // The last step as any append writes it, with every hazard of the import (a new stream).
    const last: BatchArgument = {
      system: system.name,
      events: held.events,
      hazards: hazardRows(held.after, 0),
      counts: systemCounts(held.after),
      lastHash: held.lastHash,
      snapshot: held.snapshot && { policy: held.after.policy, ...held.snapshot },
    };
    let written: Awaited<ReturnType<typeof writeBatches>>[number] | undefined;
    try {
      if (sink) await sink.finish(copied);
      [written] = await writeBatches(tx, [last], recordedAt);
    } catch (error) {
      throw explainIdConflict(error, [last.events], lineOf);
    }
    if (!written) throw new Error('the import was not written');
    lastPosition = written.firstPosition + BigInt(held.events.length - 1);
    progress.events = copied + held.events.length;
  }
  options.onProgress?.({ ...progress });
  return { system: system.name, version: state.version, lastPosition, state };
}

/** A stored history as history-file lines: the header, then the inputs in version order. */
export async function* exportHistoryOf(db: Queryable, row: SystemRow): AsyncGenerator<string> {
  yield `${formatHistoryHeader({ system: row.name, policy: row.policy as Policy, maxPasid: row.max_pasid })}\n`;
  for await (const input of inputsOf(db, row)) yield `${formatHistoryEvent(input)}\n`;
}
