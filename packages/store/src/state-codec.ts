import type { HazardCode, Policy, SigsegvReason, State, StateDraft } from '@pasid/domain';

type EncodedHazard = {
  code: HazardCode;
  reason?: SigsegvReason;
  event: number;
  tid?: number;
  pid?: number;
  device?: string;
  pasid?: number;
  observed?: boolean;
  explained?: boolean;
};

/**
 * The snapshot format this code writes and reads. Format 1 (no `format` field) held model version
 * 1's state: one mm per process, no files, no activation flag. A snapshot of any other format is
 * never decoded (reads skip it and replay the log instead); migration 0004 deleted format 1's and
 * the store wrote them again from the log. Change the encoding, change this number.
 */
export const SNAPSHOT_FORMAT = 2;

/**
 * The domain state (model version 2) as JSON for snapshots. Maps and sets become arrays in their
 * iteration order, which the rules depend on (a process's tasks in creation order, its bonds in
 * bind order).
 */
export interface EncodedState {
  format: typeof SNAPSHOT_FORMAT;
  policy: Policy;
  maxPasid: number;
  version: number;
  processes: [
    pid: number,
    parent: number | null,
    tasks: number[],
    mm: number,
    bonds: [device: string, pasid: number, mm: number][],
    fds: [fd: number, file: number, cloexec: boolean][],
  ][];
  tasks: [tid: number, pid: number, msr: number | null, activated: boolean][];
  mms: [
    id: number,
    pid: number,
    pasid: number | null,
    released: boolean,
    bonds: [string, number, number][],
  ][];
  files: [id: number, device: string, pasid: number, mm: number, holder: number, refs: number][];
  pasids: [pasid: number, pid: number, mm: number, refcount: number | null][];
  entries: [pasid: number, device: string, mm: number][];
  pool: { high: number; free: number[] };
  freed: number[];
  hazards: EncodedHazard[];
}

export function encodeState(state: State): EncodedState {
  return {
    format: SNAPSHOT_FORMAT,
    policy: state.policy,
    maxPasid: state.maxPasid,
    version: state.version,
    processes: [...state.processes.values()].map((p) => [
      p.pid,
      p.parent,
      [...p.tasks],
      p.mm,
      p.bonds.map((b) => [b.device, b.pasid, b.mm]),
      [...p.fds].map(([fd, slot]) => [fd, slot.file, slot.cloexec]),
    ]),
    tasks: [...state.tasks.values()].map((t) => [t.tid, t.pid, t.msr, t.activated]),
    mms: [...state.mms.values()].map((m) => [
      m.id,
      m.pid,
      m.pasid,
      m.released,
      [...m.bonds].flatMap(([device, byPasid]) =>
        [...byPasid].map(([pasid, n]): [string, number, number] => [device, pasid, n]),
      ),
    ]),
    files: [...state.files.values()].map((f) => [f.id, f.device, f.pasid, f.mm, f.holder, f.refs]),
    pasids: [...state.pasids.values()].map((r) => [r.pasid, r.pid, r.mm, r.refcount]),
    entries: [...state.entries].flatMap(([pasid, byDevice]) =>
      [...byDevice].map(([device, mm]): [number, string, number] => [pasid, device, mm]),
    ),
    pool: { high: state.pool.high, free: [...state.pool.free] },
    freed: [...state.freed],
    hazards: state.hazards.map((h) => ({ ...h })),
  };
}

/** Whether a stored snapshot is of the format this code reads. */
export function isCurrentFormat(stored: unknown): stored is EncodedState {
  return (
    typeof stored === 'object' &&
    stored !== null &&
    (stored as { format?: unknown }).format === SNAPSHOT_FORMAT
  );
}

/** The state a snapshot of the current format holds; any other format is an error, never a guess. */
export function decodeState(encoded: EncodedState): StateDraft {
  if (!isCurrentFormat(encoded)) {
    throw new Error(
      `snapshot format ${String((encoded as { format?: unknown }).format ?? 1)} is not ${SNAPSHOT_FORMAT}`,
    );
  }
  const mms: StateDraft['mms'] = new Map();
  for (const [id, pid, pasid, released, bonds] of encoded.mms) {
    const byDevice = new Map<string, Map<number, number>>();
    for (const [device, value, n] of bonds) {
      const byPasid = byDevice.get(device) ?? new Map<number, number>();
      byPasid.set(value, n);
      byDevice.set(device, byPasid);
    }
    mms.set(id, { id, pid, pasid, released, bonds: byDevice });
  }
  const entries: StateDraft['entries'] = new Map();
  for (const [pasid, device, mm] of encoded.entries) {
    const byDevice = entries.get(pasid) ?? new Map<string, number>();
    byDevice.set(device, mm);
    entries.set(pasid, byDevice);
  }
  return {
    policy: encoded.policy,
    maxPasid: encoded.maxPasid,
    version: encoded.version,
    processes: new Map(
      encoded.processes.map(([pid, parent, tasks, mm, bonds, fds]) => [
        pid,
        {
          pid,
          parent,
          tasks: new Set(tasks),
          mm,
          bonds: bonds.map(([device, pasid, bondMm]) => ({ device, pasid, mm: bondMm })),
          fds: new Map(fds.map(([fd, file, cloexec]) => [fd, { file, cloexec }])),
        },
      ]),
    ),
    tasks: new Map(encoded.tasks.map(([tid, pid, msr, activated]) => [tid, { tid, pid, msr, activated }])),
    mms,
    files: new Map(
      encoded.files.map(([id, device, pasid, mm, holder, refs]) => [
        id,
        { id, device, pasid, mm, holder, refs },
      ]),
    ),
    pasids: new Map(
      encoded.pasids.map(([pasid, pid, mm, refcount]) => [pasid, { pasid, pid, mm, refcount }]),
    ),
    entries,
    pool: { high: encoded.pool.high, free: [...encoded.pool.free] },
    freed: [...encoded.freed],
    hazards: encoded.hazards.map((h) => ({ ...h })),
  };
}
