import { assertNever, type DerivedEvent, type InputEvent, type InputEventOf } from './events.js';
import { isPasidInRange, lowestFreePasid } from './pool.js';
import type { State } from './state.js';

export type RejectionCode =
  | 'PROCESS_EXISTS'
  | 'TASK_EXISTS'
  | 'PROCESS_NOT_FOUND'
  | 'PARENT_NOT_FOUND'
  | 'TASK_NOT_FOUND'
  | 'NOT_BOUND'
  | 'PASID_TAKEN'
  | 'PASID_MISMATCH'
  | 'PASID_OUT_OF_RANGE'
  | 'EXEC_MULTITHREADED';

/** Why the rules refuse an input: the code, the field at fault and a sentence for people. */
export interface Rejection {
  code: RejectionCode;
  field: string;
  message: string;
}

export type Decision = { ok: true; events: DerivedEvent[] } | { ok: false; rejection: Rejection };

/** The consequences of `input` in `state`, or why the rules reject it. Pure: reads `state` only. */
export function decide(state: State, input: InputEvent): Decision {
  // Enqcmd first: it is most of a trace, and a switch on strings tests its cases in order.
  switch (input.type) {
    case 'Enqcmd':
      return decideEnqcmd(state, input);
    case 'ProcessCreated':
      return decideProcessCreated(state, input);
    case 'ThreadCreated':
      return decideThreadCreated(state, input);
    case 'DeviceBound':
      return decideDeviceBound(state, input);
    case 'DeviceUnbound':
      return decideDeviceUnbound(state, input);
    case 'TaskExited':
      return decideTaskExited(state, input);
    case 'ProcessExec':
      return decideProcessExec(state, input);
    default:
      return assertNever(input);
  }
}

const accept = (events: DerivedEvent[]): Decision => ({ ok: true, events });
const reject = (code: RejectionCode, field: string, message: string): Decision => ({
  ok: false,
  rejection: { code, field, message },
});

function decideProcessCreated(state: State, input: InputEventOf<'ProcessCreated'>): Decision {
  if (state.processes.has(input.pid)) {
    return reject('PROCESS_EXISTS', 'pid', `pid ${input.pid} is already a live process`);
  }
  if (state.tasks.has(input.pid)) {
    return reject('TASK_EXISTS', 'pid', `pid ${input.pid} is already a live task`);
  }
  if (input.parent !== undefined && !state.processes.has(input.parent)) {
    return reject('PARENT_NOT_FOUND', 'parent', `parent ${input.parent} is not a live process`);
  }
  return accept([]);
}

function decideThreadCreated(state: State, input: InputEventOf<'ThreadCreated'>): Decision {
  if (!state.processes.has(input.pid)) {
    return reject('PROCESS_NOT_FOUND', 'pid', `pid ${input.pid} is not a live process`);
  }
  if (state.tasks.has(input.tid)) {
    return reject('TASK_EXISTS', 'tid', `tid ${input.tid} is already a live task`);
  }
  if (state.processes.has(input.tid)) {
    return reject('TASK_EXISTS', 'tid', `tid ${input.tid} is the pid of a live process`);
  }
  return accept([]);
}

function decideDeviceBound(state: State, input: InputEventOf<'DeviceBound'>): Decision {
  const process = state.processes.get(input.pid);
  if (!process) return reject('PROCESS_NOT_FOUND', 'pid', `pid ${input.pid} is not a live process`);
  const events: DerivedEvent[] = [];
  const lazy = state.policy === 'LAZY_REFCOUNT';
  let pasid = process.mm.pasid;
  let count: number;
  if (pasid === null) {
    if (input.pasid !== undefined) {
      if (!isPasidInRange(state, input.pasid)) {
        return reject(
          'PASID_OUT_OF_RANGE',
          'pasid',
          `pasid ${input.pasid} is outside 1..${state.maxPasid - 1} (maxPasid ${state.maxPasid})`,
        );
      }
      const holder = state.pasids.get(input.pasid);
      if (holder) {
        return reject('PASID_TAKEN', 'pasid', `pasid ${input.pasid} is already held by pid ${holder.pid}`);
      }
      pasid = input.pasid;
    } else {
      pasid = lowestFreePasid(state);
      if (pasid === null) {
        return accept([
          { type: 'BindFailed', pid: input.pid, device: input.device },
          { type: 'HazardDetected', code: 'PASID_EXHAUSTED', pid: input.pid, device: input.device },
        ]);
      }
    }
    events.push({ type: 'PasidAllocated', pid: input.pid, pasid });
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
  const bonds = (process.mm.bonds.get(input.device) ?? 0) + 1;
  events.push({
    type: 'BondAdded',
    pid: input.pid,
    device: input.device,
    pasid,
    bonds,
    ...(lazy ? { refcount: count } : {}),
  });
  if (bonds === 1) events.push({ type: 'PasidEntryInstalled', device: input.device, pasid });
  return accept(events);
}

function decideDeviceUnbound(state: State, input: InputEventOf<'DeviceUnbound'>): Decision {
  const process = state.processes.get(input.pid);
  if (!process) return reject('PROCESS_NOT_FOUND', 'pid', `pid ${input.pid} is not a live process`);
  if ((process.mm.bonds.get(input.device) ?? 0) === 0) {
    return reject('NOT_BOUND', 'device', `pid ${input.pid} has no bind of ${input.device} left to unbind`);
  }
  const mm = new MmOutcome(state, input.pid);
  mm.unbind(input.device, null);
  return accept(mm.events);
}

function decideEnqcmd(state: State, input: InputEventOf<'Enqcmd'>): Decision {
  const task = state.tasks.get(input.tid);
  if (!task) return reject('TASK_NOT_FOUND', 'tid', `tid ${input.tid} is not a live task`);
  const own = state.processes.get(task.pid)?.mm.pasid ?? null;
  const events: DerivedEvent[] = [];
  let msr = task.msr;
  if (msr === null) {
    if (own === null) {
      // try_fixup_enqcmd_gp() finds no PASID: the #GP stands and the task gets SIGSEGV.
      return accept([{ type: 'HazardDetected', code: 'SIGSEGV', tid: input.tid, device: input.device }]);
    }
    msr = own;
    const record = state.pasids.get(own);
    events.push({
      type: 'MsrFixedUp',
      tid: input.tid,
      pasid: own,
      ...(state.policy === 'LAZY_REFCOUNT' ? { refcount: (record?.refcount ?? 0) + 1 } : {}),
    });
  }
  const holder = state.pasids.get(msr);
  if (own === msr && holder?.devices.has(input.device)) {
    events.push({ type: 'WorkSubmitted', tid: input.tid, device: input.device, pasid: msr });
  } else if (holder && holder.pid !== task.pid && holder.devices.has(input.device)) {
    // `pid` names the process whose address space the DMA now runs in.
    events.push({
      type: 'HazardDetected',
      code: 'WRONG_ADDRESS_SPACE',
      tid: input.tid,
      pid: holder.pid,
      device: input.device,
      pasid: msr,
    });
  } else {
    events.push({
      type: 'HazardDetected',
      code: 'DMAR_FAULT',
      tid: input.tid,
      device: input.device,
      pasid: msr,
    });
  }
  return accept(events);
}

function decideTaskExited(state: State, input: InputEventOf<'TaskExited'>): Decision {
  const task = state.tasks.get(input.tid);
  if (!task) return reject('TASK_NOT_FOUND', 'tid', `tid ${input.tid} is not a live task`);
  const process = state.processes.get(task.pid);
  const mm = new MmOutcome(state, task.pid);
  mm.dropMsr(task.msr);
  if (process && process.tasks.size === 1) {
    mm.release('exit');
    mm.events.push({ type: 'ProcessExited', pid: task.pid });
  }
  return accept(mm.events);
}

function decideProcessExec(state: State, input: InputEventOf<'ProcessExec'>): Decision {
  const process = state.processes.get(input.pid);
  if (!process) return reject('PROCESS_NOT_FOUND', 'pid', `pid ${input.pid} is not a live process`);
  if (process.tasks.size > 1) {
    return reject(
      'EXEC_MULTITHREADED',
      'pid',
      `pid ${input.pid} has ${process.tasks.size} live tasks; exec needs exactly one`,
    );
  }
  const [tid] = process.tasks;
  const mm = new MmOutcome(state, input.pid);
  mm.dropMsr(tid === undefined ? null : (state.tasks.get(tid)?.msr ?? null));
  mm.release('exec');
  return accept(mm.events);
}

/**
 * Works out, on a scratch copy of one mm, what unbinding and dropping MSRs does to it, so that a
 * cascade (exit, exec) is decided without touching `state`.
 */
class MmOutcome {
  readonly events: DerivedEvent[] = [];
  private readonly lazy: boolean;
  private pasid: number | null;
  private count: number;
  /** The mm's bonds as `state` has them, and the binds this outcome has undone so far (no copy). */
  private readonly bonds: ReadonlyMap<string, number>;
  private readonly undone = new Map<string, number>();
  private bondsLeft: number;

  constructor(
    private readonly state: State,
    private readonly pid: number,
  ) {
    const mm = state.processes.get(pid)?.mm;
    this.lazy = state.policy === 'LAZY_REFCOUNT';
    this.pasid = mm?.pasid ?? null;
    this.count = this.pasid === null ? 0 : (state.pasids.get(this.pasid)?.refcount ?? 0);
    this.bonds = mm?.bonds ?? new Map<string, number>();
    this.bondsLeft = 0;
    for (const n of this.bonds.values()) this.bondsLeft += n;
  }

  /** A task stops counting (exit, or exec's `pasid_put`): LAZY_REFCOUNT only. */
  dropMsr(msr: number | null): void {
    if (!this.lazy || msr === null || msr !== this.pasid) return;
    this.count -= 1;
    this.events.push({ type: 'RefcountChanged', pid: this.pid, pasid: msr, refcount: this.count });
    if (this.count === 0) this.free();
  }

  /** One `iommu_sva_unbind_device()`; `reason` is null for an explicit DeviceUnbound input. */
  unbind(device: string, reason: 'exit' | 'exec' | null): void {
    const undone = (this.undone.get(device) ?? 0) + 1;
    this.undone.set(device, undone);
    const left = (this.bonds.get(device) ?? 0) - undone;
    this.bondsLeft -= 1;
    if (this.lazy) this.count -= 1;
    const refcount = this.lazy ? { refcount: this.count } : {};
    if (reason !== null)
      this.events.push({ type: 'DeviceUnbound', pid: this.pid, device, reason, ...refcount });
    const pasid = this.pasid;
    if (pasid === null) return;
    if (left === 0) this.events.push({ type: 'PasidEntryRemoved', device, pasid });
    if (reason === null && this.lazy) {
      this.events.push({ type: 'RefcountChanged', pid: this.pid, pasid, refcount: this.count });
    }
    const freeNow =
      (this.lazy && this.count === 0) || (this.state.policy === 'EAGER_UNBIND' && this.bondsLeft === 0);
    if (freeNow) this.free();
  }

  /** The mm goes away (exit of the last task, or exec): its fds close in bind order. */
  release(reason: 'exit' | 'exec'): void {
    for (const [device, binds] of this.bonds) {
      for (let i = this.undone.get(device) ?? 0; i < binds; i++) this.unbind(device, reason);
    }
    if (this.state.policy === 'MM_EXIT' && this.pasid !== null) this.free();
  }

  private free(): void {
    if (this.pasid === null) return;
    this.events.push({ type: 'PasidFreed', pid: this.pid, pasid: this.pasid });
    this.pasid = null;
    this.count = 0;
  }
}
