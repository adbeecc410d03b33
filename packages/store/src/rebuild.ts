import { type Policy, Replayer } from '@pasid/domain';
import { SNAPSHOT_INTERVAL } from './append.js';
import type { Database, Queryable } from './database.js';
import { PROJECTION_FORMAT, type ProjectionRows, projectionRows } from './projections.js';
import { applyRows, type StepRow } from './replay.js';
import { encodeState } from './state-codec.js';

const PAGE = 20_000;

/** Each projection table: its name, its columns in order with their SQL types. */
const TABLES: { name: keyof ProjectionRows; table: string; columns: [column: string, type: string][] }[] = [
  {
    name: 'processes',
    table: 'processes',
    columns: [
      ['pid', 'integer'],
      ['parent', 'integer'],
      ['pasid', 'integer'],
      ['mm', 'integer'],
    ],
  },
  {
    name: 'tasks',
    table: 'tasks',
    columns: [
      ['tid', 'integer'],
      ['pid', 'integer'],
      ['msr', 'integer'],
      ['activated', 'boolean'],
    ],
  },
  {
    name: 'mms',
    table: 'mms',
    columns: [
      ['id', 'integer'],
      ['pid', 'integer'],
      ['pasid', 'integer'],
      ['released', 'boolean'],
    ],
  },
  {
    name: 'files',
    table: 'files',
    columns: [
      ['id', 'integer'],
      ['device', 'text'],
      ['pasid', 'integer'],
      ['mm', 'integer'],
      ['holder', 'integer'],
      ['refs', 'integer'],
    ],
  },
  {
    name: 'fds',
    table: 'fds',
    columns: [
      ['pid', 'integer'],
      ['fd', 'integer'],
      ['file', 'integer'],
      ['device', 'text'],
      ['cloexec', 'boolean'],
      ['inherited_from', 'integer'],
    ],
  },
  {
    name: 'pasids',
    table: 'pasids',
    columns: [
      ['pasid', 'integer'],
      ['pid', 'integer'],
      ['refcount', 'integer'],
      ['mm', 'integer'],
    ],
  },
  {
    name: 'bonds',
    table: 'bonds',
    columns: [
      ['pid', 'integer'],
      ['device', 'text'],
      ['binds', 'integer'],
    ],
  },
  {
    name: 'entries',
    table: 'pasid_entries',
    columns: [
      ['device', 'text'],
      ['pasid', 'integer'],
    ],
  },
  {
    name: 'hazards',
    table: 'hazards',
    columns: [
      ['seq', 'integer'],
      ['event', 'integer'],
      ['code', 'text'],
      ['tid', 'integer'],
      ['pid', 'integer'],
      ['device', 'text'],
      ['pasid', 'integer'],
      ['reason', 'text'],
      ['observed', 'boolean'],
      ['explained', 'boolean'],
    ],
  },
  {
    name: 'freed',
    table: 'freed_pasids',
    columns: [
      ['seq', 'integer'],
      ['pasid', 'integer'],
    ],
  },
];

const line = (row: Record<string, unknown>, columns: [string, string][]) =>
  JSON.stringify(columns.map(([c]) => row[c] ?? null));

/**
 * Replays every stream from the log alone into fresh projection rows and compares them with the
 * live tables (and the counts on `systems`). Where they differ, the live rows are replaced by
 * the replayed ones, in one transaction per system; `equal` says whether they all agreed.
 */
export async function rebuildProjections(
  db: Database,
): Promise<{ systems: number; equal: boolean; differences: string[] }> {
  const systems = await db.query<SystemToReplay>('SELECT name, policy, max_pasid FROM systems ORDER BY name');
  const differences: string[] = [];
  for (const system of systems) {
    await db.transaction(async (tx) => {
      const replayed = await replayLocked(tx, system, false);
      if (!replayed) return;
      const { locked, fresh, counts } = replayed;
      const found: string[] = [];
      for (const t of TABLES) {
        const live = await tx.query<Record<string, unknown>>(
          `SELECT ${t.columns.map(([c]) => c).join(', ')} FROM ${t.table} WHERE system = $1`,
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

/**
 * Rebuilds, from the log, the projection rows and snapshots of every system whose
 * `projection_format` is below this code's (after migration 0004: every system written by model
 * version 1), one transaction per system holding its row lock, so appends wait and never see a
 * half-built projection. Returns the systems rebuilt.
 */
export async function upgradeProjections(db: Database): Promise<string[]> {
  const systems = await db.query<SystemToReplay>(
    'SELECT name, policy, max_pasid FROM systems WHERE projection_format < $1 ORDER BY name',
    [PROJECTION_FORMAT],
  );
  const rebuilt: string[] = [];
  for (const system of systems) {
    await db.transaction(async (tx) => {
      const replayed = await replayLocked(tx, system, true);
      if (!replayed) return;
      await replaceProjection(tx, system.name, replayed.fresh, replayed.counts);
      rebuilt.push(system.name);
    });
  }
  return rebuilt;
}

interface SystemToReplay {
  name: string;
  policy: Policy;
  max_pasid: number;
}

/**
 * Locks the system's row and replays its log: the projection rows and counts it gives, and
 * (with `writeSnapshots`) a snapshot stored at each multiple of SNAPSHOT_INTERVAL on the way.
 */
async function replayLocked(tx: Queryable, system: SystemToReplay, writeSnapshots: boolean) {
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
  if (!locked) return null;
  if (writeSnapshots) await tx.query('DELETE FROM snapshots WHERE system = $1', [system.name]);
  const replayer = new Replayer({ policy: system.policy, maxPasid: system.max_pasid });
  let events = 0;
  for (let from = 0; from < locked.version; from += PAGE) {
    const rows = await tx.query<StepRow>(
      `SELECT version, index, data FROM events WHERE system = $1 AND version > $2 AND version <= $3
       ORDER BY version, index`,
      [system.name, from, from + PAGE],
    );
    events += rows.length;
    if (!writeSnapshots) {
      applyRows(replayer, rows);
      continue;
    }
    // Cut the page at each multiple of SNAPSHOT_INTERVAL (PAGE is one), as appends do.
    let start = 0;
    while (start < rows.length) {
      const boundary = (Math.floor(replayer.version / SNAPSHOT_INTERVAL) + 1) * SNAPSHOT_INTERVAL;
      let end = start;
      while (end < rows.length && (rows[end] as StepRow).version <= boundary) end++;
      applyRows(replayer, rows.slice(start, end));
      start = end;
      if (replayer.version === boundary) {
        await tx.query(
          `INSERT INTO snapshots (system, policy, version, state) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (system, policy, version) DO UPDATE SET state = EXCLUDED.state`,
          [system.name, system.policy, boundary, JSON.stringify(encodeState(replayer.state))],
        );
      }
    }
  }
  const state = replayer.state;
  const counts = {
    version: state.version,
    event_count: events,
    live_pasids: state.pasids.size,
    hazard_count: state.hazards.length,
    freed_count: state.freed.length,
  };
  return { locked, fresh: projectionRows(state), counts };
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
    const names = t.columns.map(([c]) => c);
    await tx.query(
      `INSERT INTO ${t.table} (system, ${names.join(', ')})
       SELECT $1, ${names.map((c) => `r.${c}`).join(', ')}
       FROM jsonb_to_recordset($2::jsonb) AS r(${t.columns.map(([c, type]) => `${c} ${type}`).join(', ')})`,
      [system, JSON.stringify(list)],
    );
  }
  await tx.query(
    `UPDATE systems SET event_count = $2, live_pasids = $3, hazard_count = $4, freed_count = $5,
       projection_format = $6 WHERE name = $1`,
    [
      system,
      counts.event_count,
      counts.live_pasids,
      counts.hazard_count,
      counts.freed_count,
      PROJECTION_FORMAT,
    ],
  );
}
