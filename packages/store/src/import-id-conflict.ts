import type { PendingEvent } from './append.js';
import { HistoryImportError, StoreError } from './event-store.js';

/**
 * The id a unique violation names, when the database refused a row for an id another row has
 * (`events_id_key`, or the import's staging table). Postgres and PGlite both give the key in
 * `detail`: "Key (id)=(...) already exists."
 */
function refusedId(error: unknown): string | undefined {
  const e = error as { code?: unknown; detail?: unknown } | null;
  if (e?.code !== '23505' || typeof e.detail !== 'string') return undefined;
  return /^Key \(id\)=\(([0-9a-f-]+)\)/.exec(e.detail)?.[1];
}

/**
 * An import's rows refused for a repeated id, as an error naming the line: the rows being
 * written (`steps`) hold the input with that id (both, when the repeat is in the same rows), and
 * `lineOf` gives an input version's line in the file. Only the rows in flight are searched, so
 * the success path keeps nothing per event but the line of each version. Any other error is
 * returned as it is.
 */
export function explainIdConflict(
  error: unknown,
  steps: readonly (readonly PendingEvent[])[],
  lineOf: (version: number) => number | undefined,
): unknown {
  const id = refusedId(error);
  if (id === undefined) return error;
  const lines: number[] = [];
  for (const events of steps) {
    for (const e of events) {
      const line = e.index === 0 && e.id === id ? lineOf(e.version) : undefined;
      if (line !== undefined) lines.push(line);
    }
  }
  const [first, second] = lines;
  if (first !== undefined && second !== undefined) {
    return new HistoryImportError(
      second,
      'id',
      `id ${id} is also on line ${first}: each event needs its own id`,
      'DUPLICATE_ID',
    );
  }
  if (first !== undefined) {
    return new HistoryImportError(
      first,
      'id',
      `id ${id} is already in the log, or on an earlier line of this file: each event needs its own id`,
      'DUPLICATE_ID',
    );
  }
  return new StoreError(
    'CONFLICT',
    `id ${id} of this history is already in the log: each event needs its own id`,
  );
}
