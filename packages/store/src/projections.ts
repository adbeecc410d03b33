import { deviceBondCount, type LedgerEvent, type State } from '@pasid/domain';

/**
 * The format of the projection rows (and snapshots) this code writes: 2 for model version 2
 * (files, fd tables, activation, mms). A system whose `projection_format` is lower is rebuilt
 * from its log after migrating (see `upgradeProjections`).
 */
export const PROJECTION_FORMAT = 2;

/** The rows of one system's projection tables, as the domain state says they should be. */
export interface ProjectionRows {
  processes: { pid: number; parent: number | null; pasid: number | null; mm: number }[];
  tasks: { tid: number; pid: number; msr: number | null; activated: boolean }[];
  mms: { id: number; pid: number; pasid: number | null; released: boolean }[];
  files: { id: number; device: string; pasid: number; mm: number; holder: number; refs: number }[];
  fds: {
    pid: number;
    fd: number;
    file: number;
    device: string;
    cloexec: boolean;
    inherited_from: number | null;
  }[];
  pasids: { pasid: number; pid: number; refcount: number | null; mm: number }[];
  bonds: { pid: number; device: string; binds: number }[];
  entries: { device: string; pasid: number }[];
  hazards: {
    seq: number;
    event: number;
    code: string;
    tid: number | null;
    pid: number | null;
    device: string | null;
    pasid: number | null;
    reason: string | null;
    observed: boolean | null;
    explained: boolean | null;
  }[];
  freed: { seq: number; pasid: number }[];
}

/** The keys whose rows a batch may have changed. */
export interface Touched {
  pids: Set<number>;
  tids: Set<number>;
  pasids: Set<number>;
  mms: Set<number>;
  files: Set<number>;
}

/** Rows of `state`, all of them or only those keyed by `only`'s keys. */
export function projectionRows(state: State, only?: Touched, hazardsFrom = 0, freedFrom = 0): ProjectionRows {
  const rows: ProjectionRows = {
    processes: [],
    tasks: [],
    mms: [],
    files: [],
    fds: [],
    pasids: [],
    bonds: [],
    entries: [],
    hazards: [],
    freed: [],
  };
  const pids = only ? [...only.pids] : [...state.processes.keys()];
  for (const pid of pids) {
    const p = state.processes.get(pid);
    const mm = p && state.mms.get(p.mm);
    if (!p || !mm) continue;
    rows.processes.push({ pid, parent: p.parent, pasid: mm.pasid, mm: p.mm });
    // The bonds of the process's own mm (a released mm's bonds are its files').
    for (const device of mm.bonds.keys()) {
      rows.bonds.push({ pid, device, binds: deviceBondCount(mm, device) });
    }
    for (const [fd, slot] of p.fds) {
      const file = state.files.get(slot.file);
      if (!file) continue;
      rows.fds.push({
        pid,
        fd,
        file: slot.file,
        device: file.device,
        cloexec: slot.cloexec,
        inherited_from: file.holder === pid ? null : file.holder,
      });
    }
  }
  const tids = only ? [...only.tids] : [...state.tasks.keys()];
  for (const tid of tids) {
    const t = state.tasks.get(tid);
    if (t) rows.tasks.push({ tid, pid: t.pid, msr: t.msr, activated: t.activated });
  }
  const mms = only ? [...only.mms] : [...state.mms.keys()];
  for (const id of mms) {
    const m = state.mms.get(id);
    if (m) rows.mms.push({ id, pid: m.pid, pasid: m.pasid, released: m.released });
  }
  const files = only ? [...only.files] : [...state.files.keys()];
  for (const id of files) {
    const f = state.files.get(id);
    if (f) {
      rows.files.push({ id, device: f.device, pasid: f.pasid, mm: f.mm, holder: f.holder, refs: f.refs });
    }
  }
  const pasids = only ? [...only.pasids] : [...state.pasids.keys()];
  for (const value of pasids) {
    const r = state.pasids.get(value);
    if (!r) continue;
    rows.pasids.push({ pasid: value, pid: r.pid, refcount: r.refcount, mm: r.mm });
    for (const [device, mm] of state.entries.get(value) ?? []) {
      if (mm === r.mm) rows.entries.push({ device, pasid: value });
    }
  }
  state.hazards.slice(hazardsFrom).forEach((h, i) => {
    rows.hazards.push({
      seq: hazardsFrom + i + 1,
      event: h.event,
      code: h.code,
      tid: h.tid ?? null,
      pid: h.pid ?? null,
      device: h.device ?? null,
      pasid: h.pasid ?? null,
      reason: h.reason ?? null,
      observed: h.observed ?? null,
      explained: h.explained ?? null,
    });
  });
  state.freed.slice(freedFrom).forEach((pasid, i) => {
    rows.freed.push({ seq: freedFrom + i + 1, pasid });
  });
  return rows;
}

/** The keys whose rows a batch may have changed, from the states around it. */
export function touchedBy(before: State, after: State, events: readonly LedgerEvent[]): Touched {
  const touched: Touched = {
    pids: new Set(),
    tids: new Set(),
    pasids: new Set(),
    mms: new Set(),
    files: new Set(),
  };
  for (const event of events) {
    const fields = event as { pid?: number; tid?: number; pasid?: number };
    if (fields.pid !== undefined) touched.pids.add(fields.pid);
    if (fields.pasid !== undefined) touched.pasids.add(fields.pasid);
    if (fields.tid !== undefined) {
      touched.tids.add(fields.tid);
      const owner = before.tasks.get(fields.tid)?.pid ?? after.tasks.get(fields.tid)?.pid;
      if (owner !== undefined) touched.pids.add(owner);
    }
  }
  for (const state of [before, after]) {
    for (const pid of touched.pids) {
      const p = state.processes.get(pid);
      if (!p) continue;
      for (const tid of p.tasks) touched.tids.add(tid);
      const pasid = state.mms.get(p.mm)?.pasid ?? null;
      if (pasid !== null) touched.pasids.add(pasid);
    }
  }
  // Mms and files: few, and changed by cascades that events do not always name (a file's last
  // close releases a bond of another process's mm), so compared whole.
  for (const [id, m] of after.mms) {
    const was = before.mms.get(id);
    if (!was || was.pid !== m.pid || was.pasid !== m.pasid || was.released !== m.released) {
      touched.mms.add(id);
    }
  }
  for (const id of before.mms.keys()) if (!after.mms.has(id)) touched.mms.add(id);
  for (const [id, f] of after.files) {
    const was = before.files.get(id);
    if (!was || was.refs !== f.refs || was.mm !== f.mm || was.pasid !== f.pasid || was.holder !== f.holder) {
      touched.files.add(id);
    }
  }
  for (const id of before.files.keys()) if (!after.files.has(id)) touched.files.add(id);
  return touched;
}

/** The argument `pasid_append` takes to bring the projection from `before` to `after`. */
export function projectionChanges(
  before: State,
  after: State,
  events: readonly LedgerEvent[],
  lastHash: string,
) {
  const touched = touchedBy(before, after, events);
  const rows = projectionRows(after, touched, before.hazards.length, before.freed.length);
  return {
    pids: [...touched.pids],
    tids: [...touched.tids],
    pasidKeys: [...touched.pasids],
    mmKeys: [...touched.mms],
    fileKeys: [...touched.files],
    ...rows,
    version: after.version,
    livePasids: after.pasids.size,
    hazardCount: after.hazards.length,
    freedCount: after.freed.length,
    lastHash,
  };
}
