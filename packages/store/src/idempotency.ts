import type { Queryable } from './database.js';
import { type AppendResult, RejectedEventError } from './event-store.js';
import { isUuid } from './log-reads.js';
import { EVENT_COLUMNS, type EventRow, toStoredEvent } from './rows.js';

/**
 * When every input carries an id already stored in this stream: the original batch's events
 * (nothing is written again). Null when none is stored; a `RejectedEventError` when only some
 * are, or when one belongs to another stream.
 */
export async function idempotentReplay(
  tx: Queryable,
  system: string,
  inputs: readonly unknown[],
): Promise<AppendResult | null> {
  const ids = inputs.map((input) =>
    typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined,
  );
  const given = ids.filter((id): id is string => typeof id === 'string' && isUuid(id));
  if (given.length === 0) return null;
  const found = await tx.query<{ id: string; system: string; version: number }>(
    'SELECT id, system, version FROM events WHERE id = ANY($1::uuid[])',
    [given],
  );
  if (found.length === 0) return null;
  const byId = new Map(found.map((f) => [f.id, f]));
  for (const [i, id] of ids.entries()) {
    const hit = typeof id === 'string' ? byId.get(id.toLowerCase()) : undefined;
    if (hit && hit.system !== system) {
      throw new RejectedEventError(
        i,
        'id',
        `id ${id} is already recorded in system ${hit.system}`,
        'ID_TAKEN',
      );
    }
    if (!hit || given.length !== inputs.length) {
      const at = ids.findIndex((x) => typeof x === 'string' && byId.has(x.toLowerCase()));
      throw new RejectedEventError(
        at,
        'id',
        `id ${String(ids[at])} is already recorded, but not the whole batch: a retry must resend the same batch`,
        'ID_TAKEN',
      );
    }
  }
  const versions = found.map((f) => f.version);
  const rows = await tx.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE system = $1 AND version BETWEEN $2 AND $3 ORDER BY position`,
    [system, Math.min(...versions), Math.max(...versions)],
  );
  const [current] = await tx.query<{ version: number }>('SELECT version FROM systems WHERE name = $1', [
    system,
  ]);
  return {
    system,
    version: current?.version ?? Math.max(...versions),
    events: rows.map(toStoredEvent),
    idempotentReplay: true,
  };
}
