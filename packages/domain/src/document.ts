import type { HazardCode, Policy } from './events.js';
import type { State } from './state.js';

/** The `pasid replay --json` document, also served as a system's state over GraphQL. */
export interface StateDocument {
  policy: Policy;
  events: number;
  pasids: { pasid: number; pid: number; refcount: number | null; devices: string[] }[];
  tasks: { tid: number; pid: number; msr: number | null }[];
  freed: number[];
  hazards: {
    code: HazardCode;
    event: number;
    tid?: number;
    pid?: number;
    device?: string;
    pasid?: number;
  }[];
}

const byNumber = (a: number, b: number) => a - b;

export function toStateDocument(state: State): StateDocument {
  const pasids = [...state.pasids.values()]
    .sort((a, b) => a.pasid - b.pasid)
    .map((r) => ({ pasid: r.pasid, pid: r.pid, refcount: r.refcount, devices: [...r.devices].sort() }));
  const tasks = [...state.tasks.keys()].sort(byNumber).map((tid) => {
    const t = state.tasks.get(tid)!;
    return { tid: t.tid, pid: t.pid, msr: t.msr };
  });
  const hazards = state.hazards.map((h) => {
    // Key order of the contract: code, event, then the fields that apply.
    const { code, event, ...rest } = h;
    return { code, event, ...rest };
  });
  return { policy: state.policy, events: state.version, pasids, tasks, freed: [...state.freed], hazards };
}
