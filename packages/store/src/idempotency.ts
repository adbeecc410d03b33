import { checkInputEvent } from '@pasid/domain';
import type { Queryable } from './database.js';
import { type AppendResult, IdConflictError, RejectedEventError } from './event-store.js';
import { canonicalJson } from './hash.js';
import { isUuid } from './log-reads.js';
import { EVENT_COLUMNS, type EventRow, toStoredEvent } from './rows.js';

type Hit = {
  id: string;
  system: string;
  version: number;
  index: number;
  data: unknown;
  correlation_id: string;
};

/**
 * A retry of a recorded batch: every input carries an id already stored as an input of this
 * stream, with the same content (type, fields, `at`), in one and the same batch recorded whole
 * and in the same order, at the `expectedVersion` given (if any). Then the original batch's
 * events come back and nothing is written. Null when no id is stored yet. Anything else that
 * reuses a stored id is an `IdConflictError` naming it; the same id twice in a batch is a
 * `RejectedEventError` naming both indexes.
 */
export async function idempotentReplay(
  tx: Queryable,
  system: string,
  inputs: readonly unknown[],
  expectedVersion: number | undefined,
): Promise<AppendResult | null> {
  const ids = inputs.map((input) => {
    const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
    return typeof id === 'string' && isUuid(id) ? id.toLowerCase() : undefined;
  });
  const seen = new Map<string, number>();
  for (const [i, id] of ids.entries()) {
    if (id === undefined) continue;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new RejectedEventError(
        i,
        'id',
        `id ${id} is given to events ${first} and ${i}: each event of a batch needs its own id`,
        'DUPLICATE_ID',
      );
    }
    seen.set(id, i);
  }
  if (seen.size === 0) return null;
  const found = await tx.query<Hit>(
    'SELECT id, system, version, index, data, correlation_id FROM events WHERE id = ANY($1::uuid[])',
    [[...seen.keys()]],
  );
  if (found.length === 0) return null;
  const byId = new Map(found.map((f) => [f.id, f]));
  const conflict = (i: number, reason: string) => new IdConflictError(i, String(ids[i]), reason);
  let batch: string | undefined;
  let firstVersion = 0;
  for (const [i, id] of ids.entries()) {
    const hit = id === undefined ? undefined : byId.get(id);
    if (!hit) {
      const at = ids.findIndex((x) => x !== undefined && byId.has(x));
      throw conflict(at, 'is already recorded, but not the whole batch: a retry must resend the same batch');
    }
    if (hit.system !== system) throw conflict(i, `is already recorded in system ${hit.system}`);
    if (hit.index !== 0) throw conflict(i, 'is the id of a derived event, not of an input');
    const checked = checkInputEvent(inputs[i]);
    if (!checked.ok || canonicalJson(checked.event) !== canonicalJson(hit.data)) {
      throw conflict(i, 'is already recorded with other content (type, fields or at)');
    }
    if (i === 0) {
      batch = hit.correlation_id;
      firstVersion = hit.version;
    } else if (hit.correlation_id !== batch || hit.version !== firstVersion + i) {
      throw conflict(i, 'is already recorded in another batch or at another place in it');
    }
  }
  const rows = await tx.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE system = $1 AND correlation_id = $2 ORDER BY position`,
    [system, batch],
  );
  if (rows.filter((r) => r.index === 0).length !== inputs.length) {
    throw conflict(0, 'is already recorded in a larger batch: a retry must resend the same batch');
  }
  if (expectedVersion !== undefined && expectedVersion !== firstVersion - 1) {
    throw conflict(
      0,
      `was recorded at version ${firstVersion - 1}, not at the expectedVersion ${expectedVersion} of this request`,
    );
  }
  const [current] = await tx.query<{ version: number }>('SELECT version FROM systems WHERE name = $1', [
    system,
  ]);
  return {
    system,
    version: current?.version ?? firstVersion + inputs.length - 1,
    events: rows.map(toStoredEvent),
    idempotentReplay: true,
  };
}
