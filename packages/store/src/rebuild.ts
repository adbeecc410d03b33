import { type Policy, Replayer } from '@pasid/domain';
import type { Database, Queryable } from './database.js';
import { type HazardRow, hazardRows, PROJECTION_FORMAT } from './projections.js';
import { applyRows, type StepRow } from './replay.js';
import { SNAPSHOT_INTERVAL, snapshotDue } from './snapshot-policy.js';
import { encodeState } from './state-codec.js';

const PAGE = 20_000;

/** The projection table (migration 0006 dropped the others): its columns in order with their SQL types. */
const HAZARD_COLUMNS: [column: keyof HazardRow, type: string][] = [
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
      const live = await tx.query<Record<string, unknown>>(
        `SELECT ${HAZARD_COLUMNS.map(([c]) => c).join(', ')} FROM hazards WHERE system = $1`,
        [system.name],
      );
      const a = live.map((r) => line(r, HAZARD_COLUMNS)).sort();
      const b = fresh.map((r) => line(r as unknown as Record<string, unknown>, HAZARD_COLUMNS)).sort();
      const liveSet = new Set(a);
      const freshSet = new Set(b);
      for (const r of b) if (!liveSet.has(r)) found.push(`${system.name}: hazards lacks ${r}`);
      for (const r of a) if (!freshSet.has(r)) found.push(`${system.name}: hazards has extra ${r}`);
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
 * (with `writeSnapshots`) a snapshot stored where one is due on the way (`snapshotDue`).
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
      if (replayer.version === boundary && snapshotDue(boundary, replayer.state)) {
        await tx.query(
          `INSERT INTO snapshots (system, policy, version, state) VALUES ($1, $2, $3, $4::json)
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
  return { locked, fresh: hazardRows(state), counts };
}

async function replaceProjection(
  tx: Queryable,
  system: string,
  rows: HazardRow[],
  counts: Record<string, number>,
): Promise<void> {
  await tx.query('DELETE FROM hazards WHERE system = $1', [system]);
  if (rows.length > 0) {
    const names = HAZARD_COLUMNS.map(([c]) => c);
    await tx.query(
      `INSERT INTO hazards (system, ${names.join(', ')})
       SELECT $1, ${names.map((c) => `r.${c}`).join(', ')}
       FROM jsonb_to_recordset($2::jsonb) AS r(${HAZARD_COLUMNS.map(([c, type]) => `${c} ${type}`).join(', ')})`,
      [system, JSON.stringify(rows)],
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
