import type { HazardCode, Policy } from './events.js';

/** A process's address space: its PASID and, per device, the binds not yet unbound (in bind order). */
export interface Mm {
  pasid: number | null;
  bonds: Map<string, number>;
}

/** A live process (thread group). Ended processes leave the state with `ProcessExited`. */
export interface Process {
  pid: number;
  parent: number | null;
  /** Live tasks, in creation order. */
  tasks: Set<number>;
  mm: Mm;
}

/** A live task and its IA32_PASID MSR (`null` while invalid). */
export interface Task {
  tid: number;
  pid: number;
  msr: number | null;
}

/** An allocated PASID, its holder, its count (LAZY_REFCOUNT only) and its PASID table entries. */
export interface PasidRecord {
  pasid: number;
  pid: number;
  refcount: number | null;
  devices: Set<string>;
}

export interface Hazard {
  code: HazardCode;
  /** The version (1-based index of the input event) that caused it. */
  event: number;
  tid?: number;
  pid?: number;
  device?: string;
  pasid?: number;
}

/**
 * The PASID allocator, as the kernel's `ida_alloc_range(1, maxPasid - 1)`: always the lowest free
 * value. Values >= `high` were never handed out; `free` is a min-heap of freed values below `high`.
 */
export interface PasidPool {
  high: number;
  free: number[];
}

export interface StateDraft {
  policy: Policy;
  maxPasid: number;
  /** Number of input events applied. */
  version: number;
  processes: Map<number, Process>;
  tasks: Map<number, Task>;
  pasids: Map<number, PasidRecord>;
  pool: PasidPool;
  /** Freed PASID values in the order they were freed. */
  freed: number[];
  hazards: Hazard[];
}

type DeepReadonly<T> =
  T extends Map<infer K, infer V>
    ? ReadonlyMap<K, DeepReadonly<V>>
    : T extends Set<infer V>
      ? ReadonlySet<V>
      : T extends (infer V)[]
        ? readonly DeepReadonly<V>[]
        : T extends object
          ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
          : T;

/** The projected state of one traced system. Never mutated: `evolve` returns a new one. */
export type State = DeepReadonly<StateDraft>;

export interface SystemConfig {
  policy: Policy;
  maxPasid: number;
}

export function initialState(config: SystemConfig): State {
  return {
    policy: config.policy,
    maxPasid: config.maxPasid,
    version: 0,
    processes: new Map(),
    tasks: new Map(),
    pasids: new Map(),
    pool: { high: 1, free: [] },
    freed: [],
    hazards: [],
  };
}

/** A deep copy that the caller owns and may change (the transient of a pure `evolve`). */
export function draftOf(state: State): StateDraft {
  const processes = new Map<number, Process>();
  for (const [pid, p] of state.processes) {
    processes.set(pid, {
      pid: p.pid,
      parent: p.parent,
      tasks: new Set(p.tasks),
      mm: { pasid: p.mm.pasid, bonds: new Map(p.mm.bonds) },
    });
  }
  const tasks = new Map<number, Task>();
  for (const [tid, t] of state.tasks) tasks.set(tid, { ...t });
  const pasids = new Map<number, PasidRecord>();
  for (const [value, r] of state.pasids) pasids.set(value, { ...r, devices: new Set(r.devices) });
  return {
    policy: state.policy,
    maxPasid: state.maxPasid,
    version: state.version,
    processes,
    tasks,
    pasids,
    pool: { high: state.pool.high, free: [...state.pool.free] },
    freed: [...state.freed],
    hazards: state.hazards.map((h) => ({ ...h })),
  };
}
