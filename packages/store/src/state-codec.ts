import type { HazardCode, Policy, State, StateDraft } from '@pasid/domain';

/**
 * The domain state as JSON for snapshots. Maps and sets become arrays in their iteration order,
 * which the rules depend on (a process's tasks in creation order, its bonds in bind order).
 */
export interface EncodedState {
  policy: Policy;
  maxPasid: number;
  version: number;
  processes: [
    pid: number,
    parent: number | null,
    tasks: number[],
    pasid: number | null,
    bonds: [string, number][],
  ][];
  tasks: [tid: number, pid: number, msr: number | null][];
  pasids: [pasid: number, pid: number, refcount: number | null, devices: string[]][];
  pool: { high: number; free: number[] };
  freed: number[];
  hazards: { code: HazardCode; event: number; tid?: number; pid?: number; device?: string; pasid?: number }[];
}

export function encodeState(state: State): EncodedState {
  return {
    policy: state.policy,
    maxPasid: state.maxPasid,
    version: state.version,
    processes: [...state.processes.values()].map((p) => [
      p.pid,
      p.parent,
      [...p.tasks],
      p.mm.pasid,
      [...p.mm.bonds],
    ]),
    tasks: [...state.tasks.values()].map((t) => [t.tid, t.pid, t.msr]),
    pasids: [...state.pasids.values()].map((r) => [r.pasid, r.pid, r.refcount, [...r.devices]]),
    pool: { high: state.pool.high, free: [...state.pool.free] },
    freed: [...state.freed],
    hazards: state.hazards.map((h) => ({ ...h })),
  };
}

export function decodeState(encoded: EncodedState): StateDraft {
  return {
    policy: encoded.policy,
    maxPasid: encoded.maxPasid,
    version: encoded.version,
    processes: new Map(
      encoded.processes.map(([pid, parent, tasks, pasid, bonds]) => [
        pid,
        { pid, parent, tasks: new Set(tasks), mm: { pasid, bonds: new Map(bonds) } },
      ]),
    ),
    tasks: new Map(encoded.tasks.map(([tid, pid, msr]) => [tid, { tid, pid, msr }])),
    pasids: new Map(
      encoded.pasids.map(([pasid, pid, refcount, devices]) => [
        pasid,
        { pasid, pid, refcount, devices: new Set(devices) },
      ]),
    ),
    pool: { high: encoded.pool.high, free: [...encoded.pool.free] },
    freed: [...encoded.freed],
    hazards: encoded.hazards.map((h) => ({ ...h })),
  };
}
