import { describe, expect, it } from 'vitest';
import { packHazards, unpackHazards } from '@/lib/replay/hazard-codec';
import { hazardCountUpTo, processesOf, toStateView, withHazards } from '@/lib/replay/state-view';
import { workedExampleStates } from './helpers';

const lazy = workedExampleStates('LAZY_REFCOUNT');
const at = (v: number) => lazy[v]!;

describe('toStateView on the worked example (LAZY_REFCOUNT)', () => {
  it('shows PASID 1 held by 100 with count 1 and the DMAR_FAULT as new at event 12', () => {
    const view = toStateView(at(12), at(11));
    expect(view.version).toBe(12);
    expect(view.pasids.map((r) => [r.pasid, r.pid, r.refcount, r.change])).toEqual([[1, 100, 1, null]]);
    const newHazards = view.hazards.filter((h) => h.isNew);
    expect(newHazards.map((h) => [h.code, h.event, h.tid, h.pasid])).toEqual([['DMAR_FAULT', 12, 100, 1]]);
    // Nothing else changed at the faulting step: no entry comes or goes.
    expect(view.entries).toEqual([]);
  });

  it('marks the allocation, the new entry and the count at the first bind', () => {
    const view = toStateView(at(2), at(1));
    expect(view.pasids).toHaveLength(1);
    expect(view.pasids[0]!.change).toBe('added');
    expect(view.entries.map((e) => [e.device, e.pasid, e.change])).toEqual([['0000:6a:01.0', 1, 'added']]);
    const p100 = view.processes.find((p) => p.pid === 100)!;
    expect(p100.change).toBe('changed');
    expect(p100.bonds).toEqual([{ device: '0000:6a:01.0', count: 1, change: 'added' }]);
  });

  it('marks a count change with the count before it and the removed entry at an unbind', () => {
    const view = toStateView(at(9), at(8));
    const row = view.pasids[0]!;
    expect(row.change).toBe('changed');
    expect([...row.changed].sort()).toEqual(['devices', 'refcount']);
    expect([row.previousRefcount, row.refcount]).toEqual([4, 3]);
    expect(view.entries.filter((e) => e.change === 'removed').map((e) => e.device)).toEqual(['0000:6a:01.0']);
  });

  it('marks a fixed-up MSR as changed, from invalid to the PASID', () => {
    const view = toStateView(at(4), at(3));
    const task = view.processes.flatMap((p) => p.tasks).find((t) => t.tid === 100)!;
    expect(task).toMatchObject({ change: 'changed', msr: 1, previousMsr: null, stale: false });
  });

  it('keeps a gone task and the freed PASID visible at the step they go', () => {
    const view = toStateView(at(14), at(13));
    const gone = view.processes.find((p) => p.pid === 100)!;
    expect(gone.change).toBe('removed');
    expect(view.pasids.find((r) => r.pasid === 1)!.change).toBe('removed');
    expect(view.freed).toEqual([{ pasid: 1, pid: null, event: null, isNew: true }]);
    expect(view.counts.pasids).toBe(1);
    expect(view.counts.processes).toBe(1);
    // With the history's PasidFreed events, a freed value says who held it and when it went.
    const named = toStateView(at(14), at(13), [{ event: 14, pasid: 1, pid: 100 }]);
    expect(named.freed).toEqual([{ pasid: 1, pid: 100, event: 14, isNew: true }]);
  });

  it("shows what a count is made of: the holder's bonds and the tasks whose MSR holds the value", () => {
    const row = toStateView(at(6), at(5)).pasids.find((r) => r.pasid === 1)!;
    expect(row.refcount).toBe(4);
    expect(row.bonds).toEqual([
      { device: '0000:6a:01.0', count: 1 },
      { device: '0000:6a:02.0', count: 1 },
    ]);
    expect(row.msrTasks).toEqual([
      { tid: 100, pid: 100 },
      { tid: 101, pid: 100 },
    ]);
  });

  it('marks nothing at the first state shown without a previous one', () => {
    const view = toStateView(at(6), null);
    expect(view.anyChange).toBe(false);
    expect(view.pasids[0]!.refcount).toBe(4);
    expect(view.counts.entries).toBe(2);
  });
});

describe('stale MSRs under EAGER_UNBIND', () => {
  it('flags task 100 holding PASID 1 after 1 went to process 200', () => {
    const eager = workedExampleStates('EAGER_UNBIND');
    const view = toStateView(eager[13]!, eager[12]!);
    expect(view.pasids.map((r) => [r.pasid, r.pid, r.change])).toEqual([[1, 200, 'added']]);
    const t100 = view.processes.flatMap((p) => p.tasks).find((t) => t.tid === 100)!;
    expect(t100).toMatchObject({ msr: 1, stale: true });
  });
});

describe('processesOf without processes from the API', () => {
  it('rebuilds them from tasks and PASIDs', () => {
    const state = { ...at(8), processes: null };
    expect(processesOf(state).map((p) => [p.pid, p.pasid, p.tasks])).toEqual([
      [100, 1, [100, 101]],
      [200, null, [200]],
    ]);
    expect(toStateView(state, null).processes[0]!.bonds).toBeNull();
  });
});

describe('withHazards', () => {
  it('gives a state fetched without hazards those of the events up to its version', () => {
    const all = at(14).hazards;
    expect(all.map((h) => h.event)).toEqual([8, 12]);
    expect(hazardCountUpTo(all, 7)).toBe(0);
    expect(hazardCountUpTo(all, 8)).toBe(1);
    expect(hazardCountUpTo(all, 14)).toBe(2);
    for (let v = 0; v <= 14; v++) {
      expect(withHazards({ ...at(v), hazards: [] }, all)).toEqual(at(v));
    }
  });
});

describe('packHazards', () => {
  it('round-trips the hazards of every policy of the worked example', () => {
    for (const policy of ['LAZY_REFCOUNT', 'MM_EXIT', 'EAGER_UNBIND'] as const) {
      const hazards = workedExampleStates(policy).at(-1)!.hazards;
      expect(hazards.length).toBeGreaterThan(0);
      const packed = packHazards(hazards);
      expect(packed.rows).toHaveLength(hazards.length * 6);
      expect(unpackHazards(JSON.parse(JSON.stringify(packed)))).toEqual(hazards);
    }
  });
});
