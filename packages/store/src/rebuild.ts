import { type DerivedEvent, type InputEvent, type Policy, Replayer } from '@pasid/domain';
import type { Database, Queryable } from './database.js';
import { type ProjectionRows, projectionRows } from './projections.js';
import { applyRows } from './replay.js';

const PAGE = 20_000;

/** Each projection table: its name, columns in order, and the key its rows sort by. */
const TABLES: { name: keyof ProjectionRows; table: string; columns: string[] }[] = [
  { name: 'processes', table: 'processes', columns: ['pid', 'parent', 'pasid'] },
  { name: 'tasks', table: 'tasks', columns: ['tid', 'pid', 'msr'] },
  { name: 'pasids', table: 'pasids', columns: ['pasid', 'pid', 'refcount'] },
  { name: 'bonds', table: 'bonds', columns: ['pid', 'device', 'binds'] },
  { name: 'entries', table: 'pasid_entries', columns: ['device', 'pasid'] },
  { name: 'hazards', table: 'hazards', columns: ['seq', 'event', 'code', 'tid', 'pid', 'device', 'pasid'] },
  { name: 'freed', table: 'freed_pasids', columns: ['seq', 'pasid'] },
];

const line = (row: Record<string, unknown>, columns: string[]) =>
  JSON.stringify(columns.map((c) => row[c] ?? null));

/**
 * Replays every stream from the log alone into fresh projection rows and compares them with the
 * live tables (and the counts on `systems`). Where they differ, the live rows are replaced by
 * the replayed ones, in one transaction per system; `equal` says whether they all agreed.
 */
export async function rebuildProjections(
  db: Database,
): Promise<{ systems: number; equal: boolean; differences: string[] }> {
  const systems = await db.query<{ name: string; policy: Policy; max_pasid: number }>(
    'SELECT name, policy, max_pasid FROM systems ORDER BY name',
  );
  const differences: string[] = [];
  for (const system of systems) {
    await db.transaction(async (tx) => {
      const [locked] = await tx.query<{
        version: number;
        event_count: number;
        live_pasids: number;
        hazard_count: number;
        freed_count: number;
      }>(
        'SELECT version, event_count, live_pasids, hazard_count, freed_count FROM systems WHERE name = $1 FOR UPDATE',
        [system.name],
      );
      if (!locked) return;
      const replayer = new Replayer({ policy: system.policy, maxPasid: system.max_pasid });
      let events = 0;
      for (let from = 0; from < locked.version; from += PAGE) {
        const rows = await tx.query<{ version: number; index: number; data: InputEvent | DerivedEvent }>(
          `SELECT version, index, data FROM events WHERE system = $1 AND version > $2 AND version <= $3
           ORDER BY version, index`,
          [system.name, from, from + PAGE],
        );
        events += rows.length;
        applyRows(replayer, rows);
      }
      const state = replayer.state;
      const fresh = projectionRows(state);
      const found: string[] = [];
      for (const t of TABLES) {
        const live = await tx.query<Record<string, unknown>>(
          `SELECT ${t.columns.join(', ')} FROM ${t.table} WHERE system = $1`,
          [system.name],
        );
        const a = live.map((r) => line(r, t.columns)).sort();
        const b = (fresh[t.name] as unknown as Record<string, unknown>[])
          .map((r) => line(r, t.columns))
          .sort();
        const liveSet = new Set(a);
        const freshSet = new Set(b);
        for (const r of b) if (!liveSet.has(r)) found.push(`${system.name}: ${t.table} lacks ${r}`);
        for (const r of a) if (!freshSet.has(r)) found.push(`${system.name}: ${t.table} has extra ${r}`);
      }
      const counts = {
        version: state.version,
        event_count: events,
        live_pasids: state.pasids.size,
        hazard_count: state.hazards.length,
        freed_count: state.freed.length,
      };
      for (const [key, value] of Object.entries(counts)) {
        const stored = locked[key as keyof typeof locked];
        if (stored !== value)
          found.push(`${system.name}: systems.${key} is ${stored}, the log says ${value}`);
      }
      if (found.length === 0) return;
      differences.push(...found);
      await replaceProjection(tx, system.name, fresh, counts);
    });
  }
  return { systems: systems.length, equal: differences.length === 0, differences };
}

async function replaceProjection(
  tx: Queryable,
  system: string,
  rows: ProjectionRows,
  counts: Record<string, number>,
): Promise<void> {
  for (const t of TABLES) {
    await tx.query(`DELETE FROM ${t.table} WHERE system = $1`, [system]);
    const list = rows[t.name] as unknown as Record<string, unknown>[];
    if (list.length === 0) continue;
    const types = t.columns.map((c) => (c === 'device' || c === 'code' ? 'text' : 'integer'));
    await tx.query(
      `INSERT INTO ${t.table} (system, ${t.columns.join(', ')})
       SELECT $1, ${t.columns.map((c) => `r.${c}`).join(', ')}
       FROM jsonb_to_recordset($2::jsonb) AS r(${t.columns.map((c, i) => `${c} ${types[i]}`).join(', ')})`,
      [system, JSON.stringify(list)],
    );
  }
  await tx.query(
    `UPDATE systems SET event_count = $2, live_pasids = $3, hazard_count = $4, freed_count = $5 WHERE name = $1`,
    [system, counts.event_count, counts.live_pasids, counts.hazard_count, counts.freed_count],
  );
}
