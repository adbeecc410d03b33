import { describeHazard, deviceBondCount, isMsrStale, type State, toStateDocument } from '@pasid/domain';
import type { Bond, Device, PasidTableEntry, Process, SystemState } from './state.type.js';

/**
 * The domain's state as the GraphQL `SystemState`: the replay document (from the domain's own
 * `toStateDocument`, so both always agree) plus processes, bonds, entries and devices.
 */
export function toSystemState(state: State): SystemState {
  const doc = toStateDocument(state);
  const processes: Process[] = [...state.processes.values()]
    .sort((a, b) => a.pid - b.pid)
    .map((p) => {
      const mm = state.mms.get(p.mm);
      const pasid = mm?.pasid ?? null;
      return {
        pid: p.pid,
        parent: p.parent,
        tasks: [...p.tasks],
        pasid,
        bonds: [...(mm?.bonds.keys() ?? [])].map((device) => ({
          pid: p.pid,
          device,
          count: mm ? deviceBondCount(mm, device) : 0,
          pasid,
        })),
      };
    });
  const bonds: Bond[] = processes.flatMap((p) => p.bonds);
  const entries: PasidTableEntry[] = doc.pasids.flatMap((r) =>
    r.devices.map((device) => ({ device, pasid: r.pasid, pid: r.pid })),
  );
  const addresses = [...new Set([...bonds.map((b) => b.device), ...entries.map((e) => e.device)])].sort();
  const devices: Device[] = addresses.map((address) => ({
    address,
    entries: entries.filter((e) => e.device === address),
    bonds: bonds.filter((b) => b.device === address),
  }));
  return {
    policy: doc.policy,
    events: doc.events,
    maxPasid: state.maxPasid,
    pasids: doc.pasids,
    tasks: doc.tasks.map((t) => ({ ...t, msrStale: isMsrStale(state, t) })),
    files: doc.files,
    freed: doc.freed,
    hazards: doc.hazards.map((h) => ({ ...h, description: describeHazard(h) })),
    processes,
    bonds,
    entries,
    devices,
  };
}
