import { deviceBondCount, type LedgerEvent, type State } from '@pasid/domain';

/** The rows of one system's projection tables, as the domain state says they should be. */
export interface ProjectionRows {
  processes: { pid: number; parent: number | null; pasid: number | null }[];
  tasks: { tid: number; pid: number; msr: number | null }[];
  pasids: { pasid: number; pid: number; refcount: number | null }[];
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
  }[];
  freed: { seq: number; pasid: number }[];
}

export interface Touched {
  pids: Set<number>;
  tids: Set<number>;
  pasids: Set<number>;
}

/** Rows of `state`, all of them or only those keyed by `only`'s pids, tids and PASIDs. */
export function projectionRows(state: State, only?: Touched, hazardsFrom = 0, freedFrom = 0): ProjectionRows {
  const rows: ProjectionRows = {
    processes: [],
    tasks: [],
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
    rows.processes.push({ pid, parent: p.parent, pasid: mm.pasid });
    // The bonds of the process's own mm (a released mm's bonds are its files').
    for (const device of mm.bonds.keys()) {
      rows.bonds.push({ pid, device, binds: deviceBondCount(mm, device) });
    }
  }
  const tids = only ? [...only.tids] : [...state.tasks.keys()];
  for (const tid of tids) {
    const t = state.tasks.get(tid);
    if (t) rows.tasks.push({ tid, pid: t.pid, msr: t.msr });
  }
  const pasids = only ? [...only.pasids] : [...state.pasids.keys()];
  for (const value of pasids) {
    const r = state.pasids.get(value);
    if (!r) continue;
    rows.pasids.push({ pasid: value, pid: r.pid, refcount: r.refcount });
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
    });
  });
  state.freed.slice(freedFrom).forEach((pasid, i) => {
    rows.freed.push({ seq: freedFrom + i + 1, pasid });
  });
  return rows;
}

/** The pids, tids and PASIDs whose rows a batch may have changed, from the states around it. */
export function touchedBy(before: State, after: State, events: readonly LedgerEvent[]): Touched {
  const touched: Touched = { pids: new Set(), tids: new Set(), pasids: new Set() };
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
    ...rows,
    version: after.version,
    livePasids: after.pasids.size,
    hazardCount: after.hazards.length,
    freedCount: after.freed.length,
    lastHash,
  };
}
