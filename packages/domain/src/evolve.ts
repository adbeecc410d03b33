import { assertNever, type LedgerEvent } from './events.js';
import { releasePasid, takePasid } from './pool.js';
import { draftOf, type State, type StateDraft } from './state.js';

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
 * born, dies, or loses its MSR at exec); everything the rules decided arrives as derived events.
 */
export function applyEvent(draft: StateDraft, event: LedgerEvent): void {
  // The most frequent events first: a switch on strings tests its cases in order.
  switch (event.type) {
    case 'Enqcmd':
    case 'DeviceBound':
      draft.version += 1;
      return;
    case 'WorkSubmitted':
    case 'BindFailed':
      return;
    case 'ProcessCreated':
      draft.version += 1;
      draft.processes.set(event.pid, {
        pid: event.pid,
        parent: event.parent ?? null,
        tasks: new Set([event.pid]),
        mm: { pasid: null, bonds: new Map() },
      });
      draft.tasks.set(event.pid, { tid: event.pid, pid: event.pid, msr: null });
      return;
    case 'ThreadCreated':
      draft.version += 1;
      draft.processes.get(event.pid)?.tasks.add(event.tid);
      draft.tasks.set(event.tid, { tid: event.tid, pid: event.pid, msr: null });
      return;
    case 'DeviceUnbound': {
      // The input (an explicit close) and the derived event (an implicit one) both drop one bind.
      if (!('reason' in event)) draft.version += 1;
      const mm = draft.processes.get(event.pid)?.mm;
      if (mm) {
        const left = (mm.bonds.get(event.device) ?? 0) - 1;
        if (left > 0) mm.bonds.set(event.device, left);
        else mm.bonds.delete(event.device);
        if ('refcount' in event && event.refcount !== undefined && mm.pasid !== null) {
          setRefcount(draft, mm.pasid, event.refcount);
        }
      }
      return;
    }
    case 'TaskExited': {
      draft.version += 1;
      const task = draft.tasks.get(event.tid);
      if (!task) return;
      draft.tasks.delete(event.tid);
      draft.processes.get(task.pid)?.tasks.delete(event.tid);
      return;
    }
    case 'ProcessExec': {
      draft.version += 1;
      const process = draft.processes.get(event.pid);
      const [tid] = process?.tasks ?? [];
      const task = tid === undefined ? undefined : draft.tasks.get(tid);
      if (!process || !task) return;
      task.msr = null;
      if (task.tid !== process.pid) {
        // de_thread(): the exec'ing thread takes over the thread-group leader's id.
        draft.tasks.delete(task.tid);
        task.tid = process.pid;
        draft.tasks.set(task.tid, task);
        process.tasks = new Set([task.tid]);
      }
      return;
    }
    case 'PasidAllocated': {
      takePasid(draft.pool, event.pasid);
      const mm = draft.processes.get(event.pid)?.mm;
      if (mm) mm.pasid = event.pasid;
      draft.pasids.set(event.pasid, {
        pasid: event.pasid,
        pid: event.pid,
        refcount: draft.policy === 'LAZY_REFCOUNT' ? 0 : null,
        devices: new Set(),
      });
      return;
    }
    case 'BondAdded': {
      draft.processes.get(event.pid)?.mm.bonds.set(event.device, event.bonds);
      if (event.refcount !== undefined) setRefcount(draft, event.pasid, event.refcount);
      return;
    }
    case 'PasidEntryInstalled':
      draft.pasids.get(event.pasid)?.devices.add(event.device);
      return;
    case 'PasidEntryRemoved':
      draft.pasids.get(event.pasid)?.devices.delete(event.device);
      return;
    case 'MsrFixedUp': {
      const task = draft.tasks.get(event.tid);
      if (task) task.msr = event.pasid;
      if (event.refcount !== undefined) setRefcount(draft, event.pasid, event.refcount);
      return;
    }
    case 'RefcountChanged':
      setRefcount(draft, event.pasid, event.refcount);
      return;
    case 'PasidFreed': {
      draft.pasids.delete(event.pasid);
      releasePasid(draft.pool, event.pasid);
      const mm = draft.processes.get(event.pid)?.mm;
      if (mm && mm.pasid === event.pasid) mm.pasid = null;
      draft.freed.push(event.pasid);
      return;
    }
    case 'HazardDetected': {
      const { type: _type, ...fields } = event;
      draft.hazards.push({ ...fields, event: draft.version });
      return;
    }
    case 'ProcessExited':
      draft.processes.delete(event.pid);
      return;
    default:
      assertNever(event);
  }
}

function setRefcount(draft: StateDraft, pasid: number, refcount: number): void {
  const record = draft.pasids.get(pasid);
  if (record) record.refcount = refcount;
}
