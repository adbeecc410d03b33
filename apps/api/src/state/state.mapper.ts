import { describeHazard, isMsrStale, type State, toStateDocument } from '@pasid/domain';
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
        // One per (device, PASID the bond was made with): after PASID_FREED_WHILE_BOUND the
        // bond keeps the value the mm no longer holds.
        bonds: [...(mm?.bonds ?? [])].flatMap(([device, byPasid]) =>
          [...byPasid]
            .sort(([x], [y]) => x - y)
            .map(([value, count]) => ({ pid: p.pid, device, count, pasid: value })),
        ),
      };
    });
  const bonds: Bond[] = processes.flatMap((p) => p.bonds);
  const entries = pasidTable(state);
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

const byNumber = (a: number, b: number) => a - b;

/**
 * The PASID table as the IOMMU holds it: every entry (device, PASID value) with the mm it points
 * at, named by that mm's process, by value then device. Not read from the document's `pasids`
 * (entries of each PASID's holder): after a PASID_FREED_WHILE_BOUND an entry stays pointing at an
 * mm that no longer holds the value, which may by then be another process's.
 */
function pasidTable(state: State): PasidTableEntry[] {
  const entries: PasidTableEntry[] = [];
  for (const pasid of [...state.entries.keys()].sort(byNumber)) {
    const byDevice = state.entries.get(pasid)!;
    for (const device of [...byDevice.keys()].sort()) {
      const mmId = byDevice.get(device)!;
      const mm = state.mms.get(mmId);
      // An mm's entries go when it is released, before it can be dropped: a bookkeeping invariant.
      if (!mm) throw new Error(`entry (${device}, ${pasid}) points at mm ${mmId}, which the state lacks`);
      entries.push({ device, pasid, pid: mm.pid, stale: mm.pasid !== pasid });
    }
  }
  return entries;
}
