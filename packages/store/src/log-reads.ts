import type { InputEvent } from '@pasid/domain';
import type { Queryable } from './database.js';
import type { ReadAllOptions, StoredEvent } from './event-store.js';
import { type Position, START_POSITION, toPosition } from './position.js';
import { EVENT_COLUMNS, type EventRow, type SystemRow, toStoredEvent } from './rows.js';
import { requireSystem } from './systems.js';

/** Reads of the log as stored: a stream by versions, the whole log by position, an input's effects. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_UPPER_BOUND = 2_147_483_647;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The position of the last committed event (log_head is updated last in every append). */
export async function headPosition(q: Queryable): Promise<Position> {
  const [row] = await q.query<{ position: string | number | bigint }>(
    'SELECT position FROM log_head WHERE id = 1',
  );
  return toPosition(row?.position);
}

const READ_STREAM = `SELECT ${EVENT_COLUMNS} FROM events
  WHERE system = $1 AND version >= $2 AND version <= $3 ORDER BY version, index`;

export async function readStream(
  q: Queryable,
  system: string,
  options: { fromVersion?: number; toVersion?: number } = {},
): Promise<StoredEvent[]> {
  const rows = await q.query<EventRow>(
    READ_STREAM,
    [system, options.fromVersion ?? 0, options.toVersion ?? NO_UPPER_BOUND],
    'pasid_read_stream_v1',
  );
  // A stream with events exists; only an empty answer needs to ask (NOT_FOUND or nothing there).
  if (rows.length === 0) await requireSystem(q, system);
  return rows.map(toStoredEvent);
}

export async function readAll(q: Queryable, options: ReadAllOptions): Promise<StoredEvent[]> {
  const where = ['position > $1'];
  // As decimal text, which both drivers pass to an int8 parameter unchanged.
  const params: unknown[] = [(options.after ?? START_POSITION).toString()];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  const f = options.filter ?? {};
  if (f.system !== undefined) add((n) => `system = ${n}`, f.system);
  if (f.types !== undefined) add((n) => `type = ANY(${n}::text[])`, f.types);
  if (f.kind !== undefined) add((n) => `kind = ${n}`, f.kind);
  if (f.actor !== undefined) add((n) => `actor = ${n}`, f.actor);
  if (f.correlationId !== undefined) add((n) => `correlation_id = ${n}`, f.correlationId);
  if (f.from !== undefined) add((n) => `recorded_at >= ${n}`, f.from);
  if (f.to !== undefined) add((n) => `recorded_at <= ${n}`, f.to);
  if (f.fromVersion !== undefined) add((n) => `version >= ${n}`, f.fromVersion);
  if (f.toVersion !== undefined) add((n) => `version <= ${n}`, f.toVersion);
  const limit = Math.max(0, Math.min(Math.trunc(options.limit), 10_000));
  params.push(limit);
  // The text depends only on which filters are given: one prepared statement per combination.
  const rows = await q.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`,
    params,
    `pasid_read_all_v1 ${where.map((w) => w.replace(/\$\d+/g, '')).join(',')}`,
  );
  return rows.map(toStoredEvent);
}

export async function derivedOf(q: Queryable, inputId: string): Promise<StoredEvent[]> {
  if (!isUuid(inputId)) return [];
  const rows = await q.query<EventRow>(
    // A derived event shares its input's (system, version), at index > 0 (the unique index).
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE (system, version) = (SELECT system, version FROM events WHERE id = $1 AND index = 0)
       AND index > 0 AND causation_id = $1
     ORDER BY position`,
    [inputId],
  );
  return rows.map(toStoredEvent);
}

/** Versions per read of `inputsOf`: bounds memory whatever the history's length. */
const INPUT_PAGE = 5000;

/** A stream's inputs in version order, up to the version its row says, a page per read. */
export async function* inputsOf(q: Queryable, row: SystemRow): AsyncGenerator<InputEvent> {
  for (let from = 0; from < row.version; from += INPUT_PAGE) {
    const rows = await q.query<{ data: InputEvent }>(
      `SELECT data FROM events WHERE system = $1 AND index = 0 AND version > $2 AND version <= $3
       ORDER BY version`,
      [row.name, from, Math.min(row.version, from + INPUT_PAGE)],
    );
    for (const r of rows) yield r.data;
  }
}
