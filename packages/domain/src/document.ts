import type { HazardCode, Policy, SigsegvReason } from './events.js';
import type { State } from './state.js';

/** A hazard as the document shows it: the code, its reason, the event, then the fields that apply. */
export interface HazardDocument {
  code: HazardCode;
  reason?: SigsegvReason;
  event: number;
  tid?: number;
  pid?: number;
  device?: string;
  pasid?: number;
  observed?: boolean;
  explained?: boolean;
}

/** The `pasid replay --json` document, also served as a system's state over GraphQL. */
export interface StateDocument {
  policy: Policy;
  events: number;
  pasids: { pasid: number; pid: number; refcount: number | null; devices: string[]; released: boolean }[];
  tasks: { tid: number; pid: number; msr: number | null; activated: boolean }[];
  files: { pid: number; fd: number; device: string; pasid: number; holder: number; cloexec: boolean }[];
  freed: number[];
  hazards: HazardDocument[];
}

const byNumber = (a: number, b: number) => a - b;

export function toStateDocument(state: State): StateDocument {
  const pasids = [...state.pasids.keys()].sort(byNumber).map((value) => {
    const r = state.pasids.get(value)!;
    const devices: string[] = [];
    for (const [device, mm] of state.entries.get(value) ?? []) if (mm === r.mm) devices.push(device);
    return {
      pasid: value,
      pid: r.pid,
      refcount: r.refcount,
      devices: devices.sort(),
      released: state.mms.get(r.mm)?.released ?? true,
    };
  });
  const tasks = [...state.tasks.keys()].sort(byNumber).map((tid) => {
    const t = state.tasks.get(tid)!;
    return { tid: t.tid, pid: t.pid, msr: t.msr, activated: t.activated };
  });
  const files: StateDocument['files'] = [];
  for (const pid of [...state.processes.keys()].sort(byNumber)) {
    const process = state.processes.get(pid)!;
    for (const fd of [...process.fds.keys()].sort(byNumber)) {
      const slot = process.fds.get(fd)!;
      const file = state.files.get(slot.file);
      if (!file) continue;
      files.push({
        pid,
        fd,
        device: file.device,
        pasid: file.pasid,
        holder: file.holder,
        cloexec: slot.cloexec,
      });
    }
  }
  const hazards = state.hazards.map(hazardDocument);
  return {
    policy: state.policy,
    events: state.version,
    pasids,
    tasks,
    files,
    freed: [...state.freed],
    hazards,
  };
}

/** Key order of the contract: code, reason, event, then the fields that apply. */
export function hazardDocument(h: State['hazards'][number]): HazardDocument {
  const { code, reason, event, ...rest } = h;
  return reason === undefined ? { code, event, ...rest } : { code, reason, event, ...rest };
}
