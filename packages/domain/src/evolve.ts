import {
  assertNever,
  type DerivedEvent,
  type InputEvent,
  type InputEventOf,
  type LedgerEvent,
} from './events.js';

type DerivedEventOf<T extends DerivedEvent['type']> = Extract<DerivedEvent, { type: T }>;

import { releasePasid, takePasid } from './pool.js';
import { draftOf, type Hazard, type Mm, type State, type StateDraft } from './state.js';

/**
 * The state after one event of the log, input or derived. Pure: `state` is left as it was.
 * It copies the state; folds over many events use `applyEvent` on a draft they own (see `Replayer`).
 */
export function evolve(state: State, event: LedgerEvent): State {
  const draft = draftOf(state);
  applyEvent(draft, event);
  return draft;
}

/**
 * Applies one event to a draft in place. Inputs carry only their unconditional effects (a task is
 * born or dies, fork copies the fd table, an fd slot goes, exec invalidates the MSR); everything
 * the rules decided arrives as derived events. Derived events of model version 1 logs (no `pasid`
 * on an implicit unbind, no `MmReleased`) apply too: see the README.
 */
export function applyEvent(draft: StateDraft, event: LedgerEvent): void {
  switch (event.type) {
    case 'DeviceUnbound':
    case 'FileClosed':
      // The derived one carries a reason (close, exit, exec); the input never does.
      if ('reason' in event) applyDerived(draft, event);
      else applyInput(draft, event);
      return;
    case 'Enqcmd':
    case 'DeviceBound':
    case 'DmarFaultLogged':
    case 'ProcessCreated':
    case 'ThreadCreated':
    case 'TaskExited':
    case 'ProcessExec':
      applyInput(draft, event);
      return;
    default:
      applyDerived(draft, event);
  }
}

/**
 * `applyEvent` for an input. A step applies its input with this and its derived events with
 * `applyDerived`: two smaller switches, each seeing fewer kinds of object than one would.
 */
export function applyInput(draft: StateDraft, event: InputEvent): void {
  draft.version += 1;
  // The most frequent inputs first: a switch on strings tests its cases in order.
  switch (event.type) {
    case 'Enqcmd':
    case 'DeviceBound':
    case 'DmarFaultLogged':
      return;
    case 'ProcessCreated':
      createProcess(draft, event);
      return;
    case 'ThreadCreated':
      draft.processes.get(event.pid)?.tasks.add(event.tid);
      draft.tasks.set(event.tid, { tid: event.tid, pid: event.pid, msr: null, activated: false });
      return;
    case 'DeviceUnbound':
      unbindInput(draft, event);
      return;
    case 'FileClosed':
      closeFd(draft, event.pid, event.fd);
      return;
    case 'TaskExited':
      exitTask(draft, event);
      return;
    case 'ProcessExec':
      execProcess(draft, event);
      return;
    default:
      assertNever(event);
  }
}

function createProcess(draft: StateDraft, event: InputEventOf<'ProcessCreated'>): void {
  const mm = newMm(draft, event.pid);
  const fds = new Map<number, { file: number; cloexec: boolean }>();
  const parent = event.parent === undefined ? undefined : draft.processes.get(event.parent);
  if (parent) {
    // fork copies the fd table: each slot is a new reference to the same open file.
    for (const [fd, slot] of parent.fds) {
      fds.set(fd, { file: slot.file, cloexec: slot.cloexec });
      const file = draft.files.get(slot.file);
      if (file) file.refs += 1;
    }
  }
  draft.processes.set(event.pid, {
    pid: event.pid,
    parent: event.parent ?? null,
    tasks: new Set([event.pid]),
    mm: mm.id,
    bonds: [],
    fds,
  });
  draft.tasks.set(event.pid, { tid: event.pid, pid: event.pid, msr: null, activated: false });
}

function unbindInput(draft: StateDraft, event: InputEventOf<'DeviceUnbound'>): void {
  // The last-bound process bond on the device.
  const process = draft.processes.get(event.pid);
  if (!process) return;
  for (let i = process.bonds.length - 1; i >= 0; i--) {
    const bond = process.bonds[i];
    if (bond?.device !== event.device) continue;
    process.bonds.splice(i, 1);
    unbindFrom(draft, bond.mm, bond.device, bond.pasid);
    return;
  }
}

function exitTask(draft: StateDraft, event: InputEventOf<'TaskExited'>): void {
  const task = draft.tasks.get(event.tid);
  if (!task) return;
  draft.tasks.delete(event.tid);
  draft.processes.get(task.pid)?.tasks.delete(event.tid);
}

function execProcess(draft: StateDraft, event: InputEventOf<'ProcessExec'>): void {
  const process = draft.processes.get(event.pid);
  const [tid] = process?.tasks ?? [];
  const task = tid === undefined ? undefined : draft.tasks.get(tid);
  if (!process || !task) return;
  // The MSR is invalid in the new program; the activation flag stays (only fork clears it).
  task.msr = null;
  if (task.tid !== process.pid) {
    // de_thread(): the exec'ing thread takes over the thread-group leader's id.
    draft.tasks.delete(task.tid);
    task.tid = process.pid;
    draft.tasks.set(task.tid, task);
    process.tasks = new Set([task.tid]);
  }
}

/** `applyEvent` for a derived event (see `applyInput`). */
export function applyDerived(draft: StateDraft, event: DerivedEvent): void {
  // The most frequent derived events first. Longer cases are functions of their own: one switch
  // with every body in it took Turbofan over 100 ms to compile on this machine (twice or more, as
  // rarer kinds of event deoptimised it), which every cold `pasid replay` paid.
  switch (event.type) {
    case 'WorkSubmitted':
    case 'BindFailed':
      return;
    case 'DeviceUnbound':
      unbindDerived(draft, event);
      return;
    case 'FileClosed':
      closeFd(draft, event.pid, event.fd);
      return;
    case 'PasidAllocated':
      allocatePasid(draft, event);
      return;
    case 'BondAdded':
      addBond(draft, event);
      return;
    case 'PasidEntryInstalled':
      installEntry(draft, event);
      return;
    case 'PasidEntryRemoved': {
      const byDevice = draft.entries.get(event.pasid);
      if (!byDevice) return;
      byDevice.delete(event.device);
      if (byDevice.size === 0) draft.entries.delete(event.pasid);
      return;
    }
    case 'MsrFixedUp': {
      const task = draft.tasks.get(event.tid);
      if (task) {
        task.msr = event.pasid;
        task.activated = true;
      }
      if (event.refcount !== undefined) setRefcount(draft, event.pasid, event.refcount);
      return;
    }
    case 'RefcountChanged':
      setRefcount(draft, event.pasid, event.refcount);
      return;
    case 'PasidFreed':
      freePasid(draft, event);
      return;
    case 'MmReleased':
      releaseMm(draft, event);
      return;
    case 'HazardDetected':
      recordHazard(draft, event);
      return;
    case 'ProcessExited':
      endProcess(draft, event);
      return;
    default:
      assertNever(event);
  }
}

function unbindDerived(draft: StateDraft, event: DerivedEventOf<'DeviceUnbound'>): void {
  let pasid = event.pasid;
  if (event.file !== undefined) {
    const file = draft.files.get(event.file);
    if (!file) return;
    draft.files.delete(event.file);
    pasid = file.pasid;
    unbindFrom(draft, file.mm, file.device, file.pasid);
  } else {
    // A process bond, in bind order (version 1 logs name no PASID: any bond on the device).
    const process = draft.processes.get(event.pid);
    const at =
      process?.bonds.findIndex(
        (b) => b.device === event.device && (pasid === undefined || b.pasid === pasid),
      ) ?? -1;
    const bond = process?.bonds[at];
    if (!process || !bond) return;
    process.bonds.splice(at, 1);
    pasid = bond.pasid;
    unbindFrom(draft, bond.mm, bond.device, bond.pasid);
  }
  if (event.refcount !== undefined && pasid !== undefined) setRefcount(draft, pasid, event.refcount);
}

function allocatePasid(draft: StateDraft, event: DerivedEventOf<'PasidAllocated'>): void {
  takePasid(draft.pool, event.pasid);
  const process = draft.processes.get(event.pid);
  const mm = process && draft.mms.get(process.mm);
  if (!mm) return;
  mm.pasid = event.pasid;
  draft.pasids.set(event.pasid, {
    pasid: event.pasid,
    pid: event.pid,
    mm: mm.id,
    refcount: draft.policy === 'LAZY_REFCOUNT' ? 0 : null,
  });
}

function addBond(draft: StateDraft, event: DerivedEventOf<'BondAdded'>): void {
  const process = draft.processes.get(event.pid);
  const mm = process && draft.mms.get(process.mm);
  if (!process || !mm) return;
  let onDevice = mm.bonds.get(event.device);
  if (!onDevice) {
    onDevice = new Map();
    mm.bonds.set(event.device, onDevice);
  }
  onDevice.set(event.pasid, (onDevice.get(event.pasid) ?? 0) + 1);
  if (event.fd === undefined) {
    process.bonds.push({ device: event.device, pasid: event.pasid, mm: mm.id });
  } else {
    // The open file is named by the version of the input that opened it.
    const id = draft.version;
    draft.files.set(id, {
      id,
      device: event.device,
      pasid: event.pasid,
      mm: mm.id,
      holder: mm.pid,
      refs: 1,
    });
    process.fds.set(event.fd, { file: id, cloexec: event.cloexec ?? false });
  }
  if (event.refcount !== undefined) setRefcount(draft, event.pasid, event.refcount);
}

function installEntry(draft: StateDraft, event: DerivedEventOf<'PasidEntryInstalled'>): void {
  // The entry points at the PASID's holder: the binding process's mm.
  const holder = draft.pasids.get(event.pasid)?.mm;
  if (holder === undefined) return;
  let byDevice = draft.entries.get(event.pasid);
  if (!byDevice) {
    byDevice = new Map();
    draft.entries.set(event.pasid, byDevice);
  }
  byDevice.set(event.device, holder);
}

function freePasid(draft: StateDraft, event: DerivedEventOf<'PasidFreed'>): void {
  const record = draft.pasids.get(event.pasid);
  draft.pasids.delete(event.pasid);
  releasePasid(draft.pool, event.pasid);
  draft.freed.push(event.pasid);
  const mm = record && draft.mms.get(record.mm);
  if (mm && mm.pasid === event.pasid) {
    mm.pasid = null;
    dropIfDone(draft, mm);
  }
}

function releaseMm(draft: StateDraft, event: DerivedEventOf<'MmReleased'>): void {
  const process = draft.processes.get(event.pid);
  const mm = process && draft.mms.get(process.mm);
  if (!process || !mm) return;
  mm.released = true;
  // exec: the process still has its task, and goes on in a fresh mm.
  if (process.tasks.size > 0) process.mm = newMm(draft, process.pid).id;
  dropIfDone(draft, mm);
}

function recordHazard(draft: StateDraft, event: DerivedEventOf<'HazardDetected'>): void {
  // Field by field, in the order decide writes them (rest and spread were a hot spot).
  const hazard: Hazard = { code: event.code, event: draft.version };
  if (event.reason !== undefined) hazard.reason = event.reason;
  // A version 1 log's SIGSEGV has no reason: its only one was try_fixup_enqcmd_gp finding no PASID.
  else if (event.code === 'SIGSEGV') hazard.reason = 'NO_PASID';
  if (event.tid !== undefined) hazard.tid = event.tid;
  if (event.pid !== undefined) hazard.pid = event.pid;
  if (event.device !== undefined) hazard.device = event.device;
  if (event.pasid !== undefined) hazard.pasid = event.pasid;
  if (event.observed !== undefined) hazard.observed = event.observed;
  if (event.explained !== undefined) hazard.explained = event.explained;
  draft.hazards.push(hazard);
}

function endProcess(draft: StateDraft, event: DerivedEventOf<'ProcessExited'>): void {
  const process = draft.processes.get(event.pid);
  if (!process) return;
  draft.processes.delete(event.pid);
  // A version 1 log has no MmReleased: the mm is released here.
  const mm = draft.mms.get(process.mm);
  if (mm && !mm.released) {
    mm.released = true;
    dropIfDone(draft, mm);
  }
}

/** An fd slot goes; at the file's last reference its bond is unbound by the DeviceUnbound that follows. */
function closeFd(draft: StateDraft, pid: number, fd: number): void {
  const process = draft.processes.get(pid);
  const slot = process?.fds.get(fd);
  if (!process || !slot) return;
  process.fds.delete(fd);
  const file = draft.files.get(slot.file);
  if (file) file.refs -= 1;
}

/** A fresh mm for `pid`, named by the version of the input that creates it (one per input at most). */
function newMm(draft: StateDraft, pid: number): Mm {
  const mm: Mm = { id: draft.version, pid, pasid: null, bonds: new Map(), released: false };
  draft.mms.set(mm.id, mm);
  return mm;
}

function unbindFrom(draft: StateDraft, mmId: number, device: string, pasid: number): void {
  const mm = draft.mms.get(mmId);
  const onDevice = mm?.bonds.get(device);
  if (!mm || !onDevice) return;
  const left = (onDevice.get(pasid) ?? 0) - 1;
  if (left > 0) onDevice.set(pasid, left);
  else onDevice.delete(pasid);
  if (onDevice.size === 0) mm.bonds.delete(device);
  dropIfDone(draft, mm);
}

/** A released mm with no bond and no PASID is dropped: it leaves the state. */
function dropIfDone(draft: StateDraft, mm: Mm): void {
  if (mm.released && mm.pasid === null && mm.bonds.size === 0) draft.mms.delete(mm.id);
}

function setRefcount(draft: StateDraft, pasid: number, refcount: number): void {
  const record = draft.pasids.get(pasid);
  if (record) record.refcount = refcount;
}
