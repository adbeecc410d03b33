import type { HazardCode, Policy, SigsegvReason } from './events.js';

/**
 * An address space (the kernel's `mm_struct`). It belongs to the process that created it, and is
 * released when no live task uses it any more (exit of the last task, or exec away from it). A
 * released mm lives on while bonds (of open files) hold it, and leaves the state when it is
 * dropped: released, no bond left, and (always, until the seed's use-after-free) no PASID.
 */
export interface Mm {
  /** Ours, internal to a state: the version of the input that created the mm. Never in an event. */
  id: number;
  /** The process that created it. */
  pid: number;
  pasid: number | null;
  /** device -> PASID the bond was made with -> bonds not yet unbound. */
  bonds: Map<string, Map<number, number>>;
  released: boolean;
}

/** One `iommu_sva_bind_device()` owned by a process (a bind without `fd`). */
export interface ProcessBond {
  device: string;
  pasid: number;
  /** The mm it binds: always the process's mm, except inside an exec's cascade. */
  mm: number;
}

/** One slot of a process's fd table. */
export interface FdSlot {
  /** The open file it refers to (its id). */
  file: number;
  cloexec: boolean;
}

/** One `open()` of an accelerator: its bond, and how many fd slots refer to it. */
export interface OpenFile {
  /** The version of the `DeviceBound` that opened it: unique, and the same on every replay. */
  id: number;
  device: string;
  /** The PASID its bond was made with. */
  pasid: number;
  /** The mm its bond is to, and that mm's process (`holder` in the document). */
  mm: number;
  holder: number;
  refs: number;
}

/** A live process (thread group). Ended processes leave the state with `ProcessExited`. */
export interface Process {
  pid: number;
  parent: number | null;
  /** Live tasks, in creation order. */
  tasks: Set<number>;
  /** Its mm (an id in `mms`). */
  mm: number;
  /** Its process bonds, in bind order. */
  bonds: ProcessBond[];
  /** fd -> slot. */
  fds: Map<number, FdSlot>;
}

/** A live task: its IA32_PASID MSR (`null` while invalid) and whether its #GP was fixed up. */
export interface Task {
  tid: number;
  pid: number;
  msr: number | null;
  activated: boolean;
}

/** An allocated PASID: the mm holding it (and its process) and its count (LAZY_REFCOUNT only). */
export interface PasidRecord {
  pasid: number;
  pid: number;
  mm: number;
  refcount: number | null;
}

export interface Hazard {
  code: HazardCode;
  reason?: SigsegvReason;
  /** The version (1-based index of the input event) that caused it. */
  event: number;
  tid?: number;
  pid?: number;
  device?: string;
  pasid?: number;
  observed?: boolean;
  explained?: boolean;
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
  /** Every mm not yet dropped, live or released, by id. */
  mms: Map<number, Mm>;
  /** Open files by id. */
  files: Map<number, OpenFile>;
  /** The pool: allocated PASIDs. */
  pasids: Map<number, PasidRecord>;
  /** The PASID table: PASID value -> device -> the mm (id) the entry translates for. */
  entries: Map<number, Map<string, number>>;
  pool: PasidPool;
  /** Freed PASID values in the order they were freed. */
  freed: number[];
  hazards: Hazard[];
}

export type DeepReadonly<T> =
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
    mms: new Map(),
    files: new Map(),
    pasids: new Map(),
    entries: new Map(),
    pool: { high: 1, free: [] },
    freed: [],
    hazards: [],
  };
}

export type MmState = DeepReadonly<Mm>;
export type ProcessState = DeepReadonly<Process>;

/** The mm's bonds on all devices and PASIDs. */
export function bondCount(mm: MmState): number {
  let n = 0;
  for (const byPasid of mm.bonds.values()) for (const count of byPasid.values()) n += count;
  return n;
}

/** The mm's bonds on `device` (all PASIDs): the spec's `bonds[device]`. */
export function deviceBondCount(mm: MmState, device: string): number {
  let n = 0;
  for (const count of mm.bonds.get(device)?.values() ?? []) n += count;
  return n;
}

/** The process's current mm. Every live process has one (a bookkeeping invariant). */
export function mmOf(state: State, process: Pick<ProcessState, 'pid' | 'mm'>): MmState {
  const mm = state.mms.get(process.mm);
  if (!mm) throw new Error(`pid ${process.pid} has no mm ${process.mm}`);
  return mm;
}

/**
 * Whether the task's IA32_PASID MSR is stale: it holds a PASID that is not its own mm's (freed
 * while the task carried it, and maybe handed to another process). Never under LAZY_REFCOUNT and
 * MM_EXIT while no UNBALANCED_PUT has happened (invariant 4); EAGER_UNBIND's reason to exist.
 */
export function isMsrStale(state: State, task: Pick<Task, 'pid' | 'msr'>): boolean {
  if (task.msr === null) return false;
  const process = state.processes.get(task.pid);
  const own = process ? (state.mms.get(process.mm)?.pasid ?? null) : null;
  return task.msr !== own;
}

/** A deep copy that the caller owns and may change (the transient of a pure `evolve`). */
export function draftOf(state: State): StateDraft {
  const processes = new Map<number, Process>();
  for (const [pid, p] of state.processes) {
    processes.set(pid, {
      pid: p.pid,
      parent: p.parent,
      tasks: new Set(p.tasks),
      mm: p.mm,
      bonds: p.bonds.map((b) => ({ ...b })),
      fds: new Map([...p.fds].map(([fd, slot]) => [fd, { ...slot }])),
    });
  }
  const tasks = new Map<number, Task>();
  for (const [tid, t] of state.tasks) tasks.set(tid, { ...t });
  const mms = new Map<number, Mm>();
  for (const [id, m] of state.mms) {
    mms.set(id, {
      ...m,
      bonds: new Map([...m.bonds].map(([device, byPasid]) => [device, new Map(byPasid)])),
    });
  }
  const files = new Map<number, OpenFile>();
  for (const [id, f] of state.files) files.set(id, { ...f });
  const pasids = new Map<number, PasidRecord>();
  for (const [value, r] of state.pasids) pasids.set(value, { ...r });
  const entries = new Map<number, Map<string, number>>();
  for (const [value, byDevice] of state.entries) entries.set(value, new Map(byDevice));
  return {
    policy: state.policy,
    maxPasid: state.maxPasid,
    version: state.version,
    processes,
    tasks,
    mms,
    files,
    pasids,
    entries,
    pool: { high: state.pool.high, free: [...state.pool.free] },
    freed: [...state.freed],
    hazards: state.hazards.map((h) => ({ ...h })),
  };
}
