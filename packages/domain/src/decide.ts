import {
  assertNever,
  type DerivedEvent,
  type FileCloseReason,
  type HazardFields,
  type InputEvent,
  type InputEventOf,
  type UnbindReason,
} from './events.js';
import { lowestFreePasid } from './pool.js';
import {
  bondCount,
  type FdSlot,
  type MmState,
  mmOf,
  type ProcessState,
  type State,
  type Task,
} from './state.js';

export const REJECTION_CODES = [
  'PROCESS_EXISTS',
  'TASK_EXISTS',
  'PROCESS_NOT_FOUND',
  'PARENT_NOT_FOUND',
  'TASK_NOT_FOUND',
  'NOT_BOUND',
  'FD_IN_USE',
  'FD_NOT_OPEN',
  'CLOEXEC_WITHOUT_FD',
  'PASID_TAKEN',
  'PASID_MISMATCH',
  'PASID_OUT_OF_RANGE',
  'EXEC_MULTITHREADED',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** Why the rules refuse an input: the code, the field at fault and a sentence for people. */
export interface Rejection {
  code: RejectionCode;
  field: string;
  message: string;
}

export type Decision = { ok: true; events: DerivedEvent[] } | { ok: false; rejection: Rejection };

/** The consequences of `input` in `state`, or why the rules reject it. Pure: reads `state` only. */
export function decide(state: State, input: InputEvent): Decision {
  const events: DerivedEvent[] = [];
  const rejection = decideInto(state, input, events);
  return rejection === undefined ? { ok: true, events } : { ok: false, rejection };
}

/**
 * `decide` writing the derived events onto `out` (left as it was on a rejection): a long fold
 * reuses one array and makes no Decision per input (see `Replayer.replay`).
 */
export function decideInto(state: State, input: InputEvent, out: DerivedEvent[]): Rejection | undefined {
  // Enqcmd first: it is most of a trace, and a switch on strings tests its cases in order.
  switch (input.type) {
    case 'Enqcmd':
      return decideEnqcmd(state, input, out);
    case 'ProcessCreated':
      return decideProcessCreated(state, input);
    case 'ThreadCreated':
      return decideThreadCreated(state, input);
    case 'DeviceBound':
      return decideDeviceBound(state, input, out);
    case 'DeviceUnbound':
      return decideDeviceUnbound(state, input, out);
    case 'FileClosed':
      return decideFileClosed(state, input, out);
    case 'TaskExited':
      return decideTaskExited(state, input, out);
    case 'ProcessExec':
      return decideProcessExec(state, input, out);
    case 'DmarFaultLogged':
      return decideDmarFaultLogged(state, input, out);
    default:
      return assertNever(input);
  }
}

const reject = (code: RejectionCode, field: string, message: string): Rejection => ({ code, field, message });
const hazard = (fields: HazardFields): DerivedEvent => ({ type: 'HazardDetected', ...fields });
const notLive = (pid: number) => reject('PROCESS_NOT_FOUND', 'pid', `pid ${pid} is not a live process`);

function decideProcessCreated(state: State, input: InputEventOf<'ProcessCreated'>): Rejection | undefined {
  if (state.processes.has(input.pid)) {
    return reject('PROCESS_EXISTS', 'pid', `pid ${input.pid} is already a live process`);
  }
  if (state.tasks.has(input.pid)) {
    return reject('TASK_EXISTS', 'pid', `pid ${input.pid} is already a live task`);
  }
  if (input.parent !== undefined && !state.processes.has(input.parent)) {
    return reject('PARENT_NOT_FOUND', 'parent', `parent ${input.parent} is not a live process`);
  }
  return undefined;
}

function decideThreadCreated(state: State, input: InputEventOf<'ThreadCreated'>): Rejection | undefined {
  if (!state.processes.has(input.pid)) return notLive(input.pid);
  if (state.tasks.has(input.tid)) {
    return reject('TASK_EXISTS', 'tid', `tid ${input.tid} is already a live task`);
  }
  if (state.processes.has(input.tid)) {
    return reject('TASK_EXISTS', 'tid', `tid ${input.tid} is the pid of a live process`);
  }
  return undefined;
}

function decideDeviceBound(
  state: State,
  input: InputEventOf<'DeviceBound'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const process = state.processes.get(input.pid);
  if (!process) return notLive(input.pid);
  if (input.cloexec !== undefined && input.fd === undefined) {
    return reject('CLOEXEC_WITHOUT_FD', 'cloexec', 'cloexec is a flag of an fd: give fd too, or neither');
  }
  if (input.fd !== undefined && process.fds.has(input.fd)) {
    return reject('FD_IN_USE', 'fd', `fd ${input.fd} is already open in pid ${input.pid}`);
  }
  if (input.pasid !== undefined && !(input.pasid >= 1 && input.pasid < state.maxPasid)) {
    return reject(
      'PASID_OUT_OF_RANGE',
      'pasid',
      `pasid ${input.pasid} is outside 1..${state.maxPasid - 1} (maxPasid ${state.maxPasid})`,
    );
  }
  const mm = mmOf(state, process);
  const lazy = state.policy === 'LAZY_REFCOUNT';
  let pasid = mm.pasid;
  let allocated = false;
  let count: number;
  if (pasid === null) {
    if (input.pasid !== undefined) {
      const holder = state.pasids.get(input.pasid);
      if (holder) {
        return reject('PASID_TAKEN', 'pasid', `pasid ${input.pasid} is already held by pid ${holder.pid}`);
      }
      pasid = input.pasid;
    } else {
      pasid = lowestFreePasid(state);
      if (pasid === null) {
        out.push(
          { type: 'BindFailed', pid: input.pid, device: input.device },
          hazard({ code: 'PASID_EXHAUSTED', pid: input.pid, device: input.device }),
        );
        return undefined;
      }
    }
    allocated = true;
    count = 1;
  } else {
    if (input.pasid !== undefined && input.pasid !== pasid) {
      return reject(
        'PASID_MISMATCH',
        'pasid',
        `pid ${input.pid} already holds pasid ${pasid}, not ${input.pasid}`,
      );
    }
    count = (state.pasids.get(pasid)?.refcount ?? 0) + 1;
  }
  const entry = state.entries.get(pasid)?.get(input.device);
  if (entry !== undefined && entry !== mm.id) {
    // The PASID table setup finds the slot taken by another mm (after a use-after-free): -EBUSY.
    out.push(
      { type: 'BindFailed', pid: input.pid, device: input.device },
      hazard({ code: 'PASID_ENTRY_BUSY', pid: input.pid, device: input.device, pasid }),
    );
    return undefined;
  }
  if (allocated) out.push({ type: 'PasidAllocated', pid: input.pid, pasid });
  const onDevice = mm.bonds.get(input.device);
  let bonds = 1;
  for (const n of onDevice?.values() ?? []) bonds += n;
  // Optional fields set one by one (object spread was a hot spot), in the log's key order.
  const bond: Extract<DerivedEvent, { type: 'BondAdded' }> = {
    type: 'BondAdded',
    pid: input.pid,
    device: input.device,
    pasid,
    bonds,
  };
  if (lazy) bond.refcount = count;
  if (input.fd !== undefined) {
    bond.fd = input.fd;
    bond.cloexec = input.cloexec ?? false;
  }
  out.push(bond);
  if ((onDevice?.get(pasid) ?? 0) === 0) {
    out.push({ type: 'PasidEntryInstalled', device: input.device, pasid, pid: input.pid });
  }
  return undefined;
}

function decideDeviceUnbound(
  state: State,
  input: InputEventOf<'DeviceUnbound'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const process = state.processes.get(input.pid);
  if (!process) return notLive(input.pid);
  let bond: ProcessState['bonds'][number] | undefined;
  for (let i = process.bonds.length - 1; i >= 0 && !bond; i--) {
    if (process.bonds[i]?.device === input.device) bond = process.bonds[i];
  }
  if (!bond) {
    return reject('NOT_BOUND', 'device', `pid ${input.pid} has no process bond of ${input.device} to unbind`);
  }
  new Cascade(state, out).unbind(bond.mm, bond.device, bond.pasid, null);
  return undefined;
}

function decideFileClosed(
  state: State,
  input: InputEventOf<'FileClosed'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const process = state.processes.get(input.pid);
  if (!process) return notLive(input.pid);
  const slot = process.fds.get(input.fd);
  if (!slot) return reject('FD_NOT_OPEN', 'fd', `fd ${input.fd} is not open in pid ${input.pid}`);
  new Cascade(state, out).close(input.pid, input.fd, slot, null);
  return undefined;
}

function decideEnqcmd(
  state: State,
  input: InputEventOf<'Enqcmd'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const task = state.tasks.get(input.tid);
  if (!task) return reject('TASK_NOT_FOUND', 'tid', `tid ${input.tid} is not a live task`);
  const mmId = state.processes.get(task.pid)?.mm ?? -1;
  const own = state.mms.get(mmId)?.pasid ?? null;
  let msr = task.msr;
  if (msr === null) {
    if (own === null || task.activated) {
      // try_fixup_enqcmd_gp() checks the mm's PASID, then pasid_activated: the #GP stands.
      out.push(
        hazard({
          code: 'SIGSEGV',
          reason: own === null ? 'NO_PASID' : 'ALREADY_ACTIVATED',
          tid: input.tid,
          ...(input.device !== undefined ? { device: input.device } : {}),
        }),
      );
      return undefined;
    }
    msr = own;
    const fixedUp: Extract<DerivedEvent, { type: 'MsrFixedUp' }> = {
      type: 'MsrFixedUp',
      tid: input.tid,
      pasid: own,
    };
    if (state.policy === 'LAZY_REFCOUNT') fixedUp.refcount = (state.pasids.get(own)?.refcount ?? 0) + 1;
    out.push(fixedUp);
  }
  if (input.device === undefined) return undefined;
  const target = state.entries.get(msr)?.get(input.device);
  if (target === mmId) {
    out.push({ type: 'WorkSubmitted', tid: input.tid, device: input.device, pasid: msr });
  } else if (target !== undefined) {
    // `pid` names the process whose address space the DMA now runs in.
    const victim = state.mms.get(target)?.pid;
    out.push(
      hazard({
        code: 'WRONG_ADDRESS_SPACE',
        tid: input.tid,
        ...(victim !== undefined ? { pid: victim } : {}),
        device: input.device,
        pasid: msr,
      }),
    );
  } else {
    // A literal, not hazard(): the commonest hazard of a replay, and a spread costs more.
    out.push({
      type: 'HazardDetected',
      code: 'DMAR_FAULT',
      tid: input.tid,
      device: input.device,
      pasid: msr,
    });
  }
  return undefined;
}

function decideTaskExited(
  state: State,
  input: InputEventOf<'TaskExited'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const task = state.tasks.get(input.tid);
  if (!task) return reject('TASK_NOT_FOUND', 'tid', `tid ${input.tid} is not a live task`);
  const process = state.processes.get(task.pid);
  if (!process) return notLive(task.pid);
  const cascade = new Cascade(state, out);
  cascade.put(task, process);
  if (process.tasks.size === 1) {
    cascade.leaveMm(process, 'exit');
    out.push({ type: 'ProcessExited', pid: process.pid });
  }
  return undefined;
}

function decideProcessExec(
  state: State,
  input: InputEventOf<'ProcessExec'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const process = state.processes.get(input.pid);
  if (!process) return notLive(input.pid);
  if (process.tasks.size > 1) {
    return reject(
      'EXEC_MULTITHREADED',
      'pid',
      `pid ${input.pid} has ${process.tasks.size} live tasks; exec needs exactly one`,
    );
  }
  const [tid] = process.tasks;
  const task = tid === undefined ? undefined : state.tasks.get(tid);
  const cascade = new Cascade(state, out);
  if (task) cascade.put(task, process);
  cascade.leaveMm(process, 'exec');
  return undefined;
}

function decideDmarFaultLogged(
  state: State,
  input: InputEventOf<'DmarFaultLogged'>,
  out: DerivedEvent[],
): Rejection | undefined {
  const present = state.entries.get(input.pasid)?.has(input.device) ?? false;
  out.push(
    hazard({
      code: 'DMAR_FAULT',
      device: input.device,
      pasid: input.pasid,
      observed: true,
      explained: !present,
    }),
  );
  return undefined;
}

/** One mm as a cascade sees it: the state's, with what this cascade has undone so far. */
interface ScratchMm {
  readonly id: number;
  readonly pid: number;
  readonly source: MmState;
  pasid: number | null;
  released: boolean;
  /** Bonds this cascade has unbound, all pairs together (the mm's bonds left: `bondsLeft`). */
  unbound: number;
  /** (device, PASID) -> bonds unbound by this cascade. */
  readonly undone: PairCounts;
}

/** The mm's bonds not yet unbound, counted only when a rule asks (LAZY_REFCOUNT rarely does). */
const bondsLeft = (mm: ScratchMm): number => bondCount(mm.source) - mm.unbound;

/**
 * (device, PASID) -> a count, for the few pairs one cascade touches (one mm's devices and PASIDs):
 * parallel arrays searched in order, made on first use. The profile of a replay showed Maps made
 * per cascade and string keys built per pair costing more than the rules.
 */
class PairCounts {
  private devices: string[] | undefined;
  private pasids: number[] | undefined;
  private counts: number[] | undefined;

  get(device: string, pasid: number): number {
    const at = this.indexOf(device, pasid);
    return at < 0 ? 0 : (this.counts?.[at] ?? 0);
  }

  /** Adds one to the pair's count and returns the new count. */
  increment(device: string, pasid: number): number {
    if (this.devices === undefined || this.pasids === undefined || this.counts === undefined) {
      this.devices = [device];
      this.pasids = [pasid];
      this.counts = [1];
      return 1;
    }
    const at = this.indexOf(device, pasid);
    if (at >= 0) {
      const n = (this.counts[at] ?? 0) + 1;
      this.counts[at] = n;
      return n;
    }
    this.devices.push(device);
    this.pasids.push(pasid);
    this.counts.push(1);
    return 1;
  }

  private indexOf(device: string, pasid: number): number {
    const { devices, pasids } = this;
    if (devices === undefined || pasids === undefined) return -1;
    for (let i = 0; i < devices.length; i++) if (pasids[i] === pasid && devices[i] === device) return i;
    return -1;
  }
}

/**
 * Works out the consequences of unbinds, closes, puts and an mm's release on a scratch overlay of
 * the state (counts, frees, bonds, entries, file references), so that a cascade (close, exit,
 * exec) is decided without touching `state` and without copying it. The overlay is small (one
 * process's mms and PASIDs), so it is kept in arrays searched in order, made on first use: many
 * cascades (a thread's exit) touch nothing.
 */
class Cascade {
  private readonly lazy: boolean;
  // Each made on first use: most cascades (a close, a thread's exit) need one or two of them.
  /** The mms this cascade has touched. */
  private scratch: ScratchMm[] | undefined;
  /** PASID values whose count (LAZY_REFCOUNT) this cascade changed, and the counts so far. */
  private counted: number[] | undefined;
  private counts: number[] | undefined;
  private freedNow: number[] | undefined;
  /** Entries removed by this cascade (count 1). */
  private entriesGone: PairCounts | undefined;
  /** Open files this cascade dropped references to (an exit closes many), and their references left. */
  private refFiles: number[] | undefined;
  private refCounts: number[] | undefined;

  /** `events`: where the derived events go, in order (the caller's array). */
  constructor(
    private readonly state: State,
    private readonly events: DerivedEvent[],
  ) {
    this.lazy = state.policy === 'LAZY_REFCOUNT';
  }

  /**
   * LAZY_REFCOUNT's `pasid_put()` at exit or exec: an activated task drops a reference on its mm's
   * PASID, taken or not (the seed tests the flag, which nothing clears).
   */
  put(task: Readonly<Task>, process: Pick<ProcessState, 'mm' | 'pid'>): void {
    if (!this.lazy || !task.activated) return;
    const pasid = this.mm(process.mm).pasid;
    if (pasid === null) return;
    if (task.msr === null) {
      this.events.push(hazard({ code: 'UNBALANCED_PUT', tid: task.tid, pid: process.pid, pasid }));
    }
    const refcount = this.count(pasid) - 1;
    this.setCount(pasid, refcount);
    this.events.push({ type: 'RefcountChanged', pid: this.holderPid(pasid), pasid, refcount });
    if (refcount === 0) this.free(pasid);
  }

  /**
   * The process leaves its mm (exit of its last task, or exec), in the kernel's order: the mm is
   * released (its entries torn down), its process bonds are unbound in bind order, then its fds
   * (all at exit, the close-on-exec ones at exec) are closed in descending fd order.
   */
  leaveMm(process: ProcessState, reason: 'exit' | 'exec'): void {
    this.release(process.mm);
    for (const bond of process.bonds) this.unbind(bond.mm, bond.device, bond.pasid, reason);
    const fds: number[] = [];
    for (const fd of process.fds.keys()) fds.push(fd);
    if (fds.length > 1) fds.sort((a, b) => b - a);
    for (const fd of fds) {
      const slot = process.fds.get(fd);
      if (slot && (reason === 'exit' || slot.cloexec)) this.close(process.pid, fd, slot, reason);
    }
  }

  /** One fd closed: drops a reference to its file, and unbinds the file's bond at the last one. */
  close(pid: number, fd: number, slot: Readonly<FdSlot>, reason: FileCloseReason | null): void {
    if (reason !== null) this.events.push({ type: 'FileClosed', pid, fd, reason });
    const file = this.state.files.get(slot.file);
    if (!file) return;
    this.refFiles ??= [];
    this.refCounts ??= [];
    const at = this.refFiles.indexOf(file.id);
    const refs = (at >= 0 ? (this.refCounts[at] as number) : file.refs) - 1;
    if (at >= 0) {
      this.refCounts[at] = refs;
    } else {
      this.refFiles.push(file.id);
      this.refCounts.push(refs);
    }
    if (refs === 0) this.unbind(file.mm, file.device, file.pasid, reason ?? 'close', file.id);
  }

  /** One `iommu_sva_unbind_device()`; `reason` is null for an explicit DeviceUnbound input. */
  unbind(mmId: number, device: string, pasid: number, reason: UnbindReason | null, file?: number): void {
    const mm = this.mm(mmId);
    const undone = mm.undone.increment(device, pasid);
    const left = (mm.source.bonds.get(device)?.get(pasid) ?? 0) - undone;
    mm.unbound += 1;
    let refcount: number | undefined;
    const underflow = this.lazy && !this.pooled(pasid);
    if (this.lazy && !underflow) {
      refcount = this.count(pasid) - 1;
      this.setCount(pasid, refcount);
    }
    if (reason !== null) {
      // Optional fields set one by one, in the spread's key order: object spread was a hot spot.
      const event: Extract<DerivedEvent, { type: 'DeviceUnbound' }> = {
        type: 'DeviceUnbound',
        pid: mm.pid,
        device,
        pasid,
        reason,
      };
      if (file !== undefined) event.file = file;
      if (refcount !== undefined) event.refcount = refcount;
      this.events.push(event);
    }
    if (left === 0 && this.hasEntry(device, pasid)) {
      this.entriesGone ??= new PairCounts();
      this.entriesGone.increment(device, pasid);
      this.events.push({ type: 'PasidEntryRemoved', device, pasid, reason: 'unbind' });
    }
    switch (this.state.policy) {
      case 'LAZY_REFCOUNT':
        if (underflow) {
          this.events.push(hazard({ code: 'REFCOUNT_UNDERFLOW', pid: mm.pid, pasid }));
        } else if (refcount !== undefined) {
          if (reason === null) {
            this.events.push({ type: 'RefcountChanged', pid: this.holderPid(pasid), pasid, refcount });
          }
          if (refcount === 0) this.free(pasid);
        }
        return;
      case 'EAGER_UNBIND':
        if (mm.pasid !== null && bondsLeft(mm) === 0) this.free(mm.pasid);
        return;
      case 'MM_EXIT':
        this.freeIfDropped(mm);
        return;
      default:
        assertNever(this.state.policy);
    }
  }

  /** The mm's last task leaves it: `MmReleased`, then its PASID table entries, in (device, PASID) order. */
  private release(mmId: number): void {
    const mm = this.mm(mmId);
    mm.released = true;
    this.events.push({ type: 'MmReleased', pid: mm.pid });
    const gone: [string, number][] = [];
    for (const [device, byPasid] of mm.source.bonds) {
      for (const pasid of byPasid.keys()) {
        if (this.state.entries.get(pasid)?.get(device) === mm.id && this.hasEntry(device, pasid)) {
          gone.push([device, pasid]);
        }
      }
    }
    gone.sort(([d1, p1], [d2, p2]) => (d1 < d2 ? -1 : d1 > d2 ? 1 : p1 - p2));
    for (const [device, pasid] of gone) {
      this.entriesGone ??= new PairCounts();
      this.entriesGone.increment(device, pasid);
      this.events.push({ type: 'PasidEntryRemoved', device, pasid, reason: 'mm-release' });
    }
    if (this.state.policy === 'MM_EXIT') this.freeIfDropped(mm);
  }

  /** MM_EXIT frees in `__mmdrop`: when the mm is released and no bond holds it. */
  private freeIfDropped(mm: ScratchMm): void {
    if (mm.released && mm.pasid !== null && bondsLeft(mm) === 0) this.free(mm.pasid);
  }

  private free(pasid: number): void {
    const record = this.state.pasids.get(pasid);
    if (!record) return;
    const holder = this.mm(record.mm);
    if (bondsLeft(holder) > 0) {
      this.events.push(hazard({ code: 'PASID_FREED_WHILE_BOUND', pid: holder.pid, pasid }));
    }
    this.events.push({ type: 'PasidFreed', pid: holder.pid, pasid });
    this.freedNow ??= [];
    this.freedNow.push(pasid);
    const at = this.counted?.indexOf(pasid) ?? -1;
    if (at >= 0) {
      this.counted?.splice(at, 1);
      this.counts?.splice(at, 1);
    }
    if (holder.pasid === pasid) holder.pasid = null;
  }

  private mm(id: number): ScratchMm {
    this.scratch ??= [];
    for (const mm of this.scratch) if (mm.id === id) return mm;
    const source = this.state.mms.get(id);
    if (!source) throw new Error(`the state has no mm ${id}`);
    const mm: ScratchMm = {
      id,
      pid: source.pid,
      source,
      pasid: source.pasid,
      released: source.released,
      unbound: 0,
      undone: new PairCounts(),
    };
    this.scratch.push(mm);
    return mm;
  }

  private pooled(pasid: number): boolean {
    return this.state.pasids.has(pasid) && !(this.freedNow?.includes(pasid) ?? false);
  }

  private count(pasid: number): number {
    const at = this.counted?.indexOf(pasid) ?? -1;
    return at >= 0 ? (this.counts?.[at] as number) : (this.state.pasids.get(pasid)?.refcount ?? 0);
  }

  private setCount(pasid: number, refcount: number): void {
    this.counted ??= [];
    this.counts ??= [];
    const at = this.counted.indexOf(pasid);
    if (at >= 0) {
      this.counts[at] = refcount;
    } else {
      this.counted.push(pasid);
      this.counts.push(refcount);
    }
  }

  private holderPid(pasid: number): number {
    return this.state.pasids.get(pasid)?.pid ?? 0;
  }

  private hasEntry(device: string, pasid: number): boolean {
    return (
      (this.state.entries.get(pasid)?.has(device) ?? false) &&
      (this.entriesGone?.get(device, pasid) ?? 0) === 0
    );
  }
}
