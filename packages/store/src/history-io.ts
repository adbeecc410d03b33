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
  type State,
} from '@pasid/domain';
import { batchArgument, decideBatch, SNAPSHOT_INTERVAL, transactionTime, writeBatches } from './append.js';
import type { Queryable } from './database.js';
import { HistoryImportError, type ImportOptions, RejectedEventError } from './event-store.js';
import { GENESIS_HASH } from './hash.js';
import { inputsOf } from './log-reads.js';
import { type Position, START_POSITION } from './position.js';
import type { SystemRow } from './rows.js';

export type InsertSystem = (
  tx: Queryable,
  input: { name: string; policy: Policy; maxPasid?: number },
  actor: string,
) => Promise<SystemRow>;

/**
 * Streams a history file into a new system inside the caller's transaction: chunks of lines are
 * parsed, decided and written as they come, so the file is never held whole; any bad line throws
 * `HistoryImportError` with its line number and the transaction stores nothing.
 */
export async function importHistoryInto(
  tx: Queryable,
  source: string | AsyncIterable<string | Uint8Array>,
  options: ImportOptions,
  insertSystem: InsertSystem,
): Promise<{ system: string; version: number; lastPosition: Position; state: State }> {
  const correlationId = randomUUID();
  const reader = new HistoryLineReader();
  let header: HistoryHeader | undefined;
  let row: SystemRow | undefined;
  let state: State | undefined;
  let hash = GENESIS_HASH;
  let lastPosition = START_POSITION;
  let recordedAt: string | undefined;
  let pending: { line: number; event: InputEvent }[] = [];
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
    return row;
  };
  const flush = async () => {
    const current = await open();
    if (pending.length === 0 || !state) return;
    const lines = pending;
    pending = [];
    recordedAt ??= await transactionTime(tx);
    let batch: ReturnType<typeof decideBatch>;
    try {
      batch = decideBatch(
        current.name,
        state,
        lines.map((l) => l.event),
        hash,
        { actor: options.actor, correlationId, recordedAt },
      );
    } catch (error) {
      if (!(error instanceof RejectedEventError)) throw error;
      const line = lines[error.eventIndex]?.line ?? 0;
      throw new HistoryImportError(line, error.field, error.reason, error.rejectionCode);
    }
    const [written] = await writeBatches(tx, [batchArgument(current.name, state, batch)], recordedAt);
    if (!written) throw new Error('the import chunk was not written');
    state = batch.after;
    hash = batch.lastHash;
    lastPosition = written.firstPosition + BigInt(batch.events.length - 1);
  };
  const take = async (lines: ReturnType<HistoryLineReader['push']>) => {
    for (const line of lines) {
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
      // Chunks end on snapshot boundaries, so an imported stream has every snapshot.
      if (((state?.version ?? 0) + pending.length) % SNAPSHOT_INTERVAL === 0) await flush();
    }
  };
  try {
    if (typeof source === 'string') await take(reader.push(source));
    else for await (const chunk of source) await take(reader.push(chunk));
    await take(reader.end());
  } catch (error) {
    if (error instanceof HistoryError) {
      throw new HistoryImportError(error.line, error.field, error.reason, error.code);
    }
    throw error;
  }
  await flush();
  const system = row as SystemRow | undefined;
  if (!system || !state) throw new Error('import opened no system');
  return { system: system.name, version: state.version, lastPosition, state };
}

/** A stored history as history-file lines: the header, then the inputs in version order. */
export async function* exportHistoryOf(db: Queryable, row: SystemRow): AsyncGenerator<string> {
  yield `${formatHistoryHeader({ system: row.name, policy: row.policy as Policy, maxPasid: row.max_pasid })}\n`;
  for await (const input of inputsOf(db, row)) yield `${formatHistoryEvent(input)}\n`;
}
