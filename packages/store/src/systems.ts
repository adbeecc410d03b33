import { DEFAULT_MAX_PASID, isValidMaxPasid, MAX_PASID_RULE, POLICIES, type Policy } from '@pasid/domain';
import type { Queryable } from './database.js';
import { StoreError } from './event-store.js';
import { GENESIS_HASH, recordedAtText } from './hash.js';
import { SYSTEM_COLUMNS, type SystemRow } from './rows.js';

/** The `systems` rows: one per stream, with its policy, limits, version and counts. */

export interface NewSystem {
  name: string;
  policy: Policy;
  maxPasid?: number;
}

/** Checks a new stream's name, policy and limit, and inserts its row (at version 0). */
export async function insertSystem(q: Queryable, input: NewSystem, actor: string): Promise<SystemRow> {
  const name = input.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw new StoreError('INVALID', 'a system name must be 1 to 200 characters, not blank', 'name');
  }
  // Postgres text cannot hold NUL; other control characters would only hide in listings.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new StoreError(
      'INVALID',
      'a system name must not hold control characters (NUL, newline, ...)',
      'name',
    );
  }
  if (!(POLICIES as readonly string[]).includes(input.policy)) {
    throw new StoreError('INVALID', `policy must be one of ${POLICIES.join(', ')}, got ${input.policy}`);
  }
  const maxPasid = input.maxPasid ?? DEFAULT_MAX_PASID;
  if (!isValidMaxPasid(maxPasid)) {
    throw new StoreError('INVALID', `maxPasid must be ${MAX_PASID_RULE}`);
  }
  const [row] = await q.query<SystemRow>(
    `INSERT INTO systems (name, policy, max_pasid, version, event_count, live_pasids, hazard_count,
       freed_count, last_hash, last_position, created_by)
     VALUES ($1, $2, $3, 0, 0, 0, 0, 0, $4, 0, $5)
     ON CONFLICT (name) DO NOTHING RETURNING ${SYSTEM_COLUMNS}`,
    [name, input.policy, maxPasid, GENESIS_HASH, actor],
  );
  if (!row) throw new StoreError('ALREADY_EXISTS', `system ${name} already exists`);
  return row;
}

export async function findSystem(q: Queryable, name: string): Promise<SystemRow | null> {
  const [row] = await q.query<SystemRow>(`SELECT ${SYSTEM_COLUMNS} FROM systems WHERE name = $1`, [name]);
  return row ?? null;
}

export async function requireSystem(q: Queryable, name: string): Promise<SystemRow> {
  const row = await findSystem(q, name);
  if (!row) throw new StoreError('NOT_FOUND', `no system named ${name}`);
  return row;
}

export function listSystemRows(q: Queryable): Promise<SystemRow[]> {
  return q.query<SystemRow>(`SELECT ${SYSTEM_COLUMNS} FROM systems ORDER BY name`);
}

const LOCK_SYSTEMS = `SELECT ${SYSTEM_COLUMNS}, ${recordedAtText('now()')} AS now_text
  FROM systems WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE`;

/**
 * Locks the rows of `names` in name order (two groups locking the same streams never deadlock).
 * Each row also carries the transaction's `now()` as `recorded_at` text (see `transactionTime`),
 * which the append hashes: one round trip for both.
 */
export function lockSystems(
  tx: Queryable,
  names: readonly string[],
): Promise<(SystemRow & { now_text: string })[]> {
  return tx.query(LOCK_SYSTEMS, [[...new Set(names)].sort()], 'pasid_lock_systems_v1');
}
