import path from 'node:path';
import { HAZARD_DESCRIPTIONS } from '@pasid/domain';
import { describe, expect, it } from 'vitest';
import { packHazards, unpackHazards } from '@/lib/replay/hazard-codec';
import { hazardCountUpTo, processesOf, toStateView, withHazards } from '@/lib/replay/state-view';
import { historyInputs, historyStates, SAMPLES_DIR, workedExampleStates } from './helpers';

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
  it("flags task 100 holding PASID 1 after 1 went to process 200 (the API's msrStale)", () => {
    const eager = workedExampleStates('EAGER_UNBIND');
    const view = toStateView(eager[13]!, eager[12]!);
    expect(view.pasids.map((r) => [r.pasid, r.pid, r.change])).toEqual([[1, 200, 'added']]);
    const t100 = view.processes.flatMap((p) => p.tasks).find((t) => t.tid === 100)!;
    expect(t100).toMatchObject({ msr: 1, stale: true });
  });
});

describe('model version 2: the inherited file (MM_EXIT), samples/inherited-file.jsonl', () => {
  const states = historyStates(historyInputs(path.join(SAMPLES_DIR, 'inherited-file.jsonl')), 'MM_EXIT');
  const fds = (view: ReturnType<typeof toStateView>, pid: number) =>
    view.processes.find((p) => p.pid === pid)!.files.map((f) => [f.fd, f.holder, f.inherited, f.change]);

  it("copies 300's fd 3 to 301 at fork: inherited, its bond to 300's mm", () => {
    const view = toStateView(states[4]!, states[3]!);
    expect(fds(view, 300)).toEqual([[3, 300, false, null]]);
    expect(fds(view, 301)).toEqual([[3, 300, true, 'added']]);
  });

  it("keeps PASID 1 after 300 exits, released and held by 301's fd 3; 300's fd 3 goes with it", () => {
    const view = toStateView(states[5]!, states[4]!);
    const one = view.pasids.find((r) => r.pasid === 1)!;
    expect(one).toMatchObject({ pid: 300, released: true, change: 'changed', devices: [], bonds: [] });
    expect([...one.changed].sort()).toEqual(['devices', 'released']);
    expect(one.heldBy).toEqual([{ pid: 301, fd: 3 }]);
    expect(fds(view, 300)).toEqual([[3, 300, false, 'removed']]);
    expect(view.processes.find((p) => p.pid === 301)!.files[0]!.holderReleased).toBe(true);
  });

  it('frees PASID 1 when 301 closes the last reference', () => {
    const view = toStateView(states[7]!, states[6]!);
    expect(view.pasids.find((r) => r.pasid === 1)!.change).toBe('removed');
    expect(fds(view, 301)).toEqual([[3, 300, true, 'removed']]);
  });
});

describe('model version 2: exec after ENQCMD (LAZY_REFCOUNT), samples/exec-after-enqcmd.jsonl', () => {
  const states = historyStates(
    historyInputs(path.join(SAMPLES_DIR, 'exec-after-enqcmd.jsonl')),
    'LAZY_REFCOUNT',
  );
  it('keeps task 400 activated across the exec, its MSR invalid', () => {
    const task = toStateView(states[4]!, states[3]!).processes[0]!.tasks[0]!;
    expect(task).toMatchObject({ tid: 400, msr: null, activated: true, change: 'changed', previousMsr: 1 });
  });
  it("marks the UNBALANCED_PUT new at step 9 with the domain's sentence", () => {
    const view = toStateView(states[9]!, states[8]!);
    expect(view.hazards.filter((h) => h.isNew).map((h) => [h.code, h.tid, h.description])).toEqual([
      ['UNBALANCED_PUT', 400, HAZARD_DESCRIPTIONS.UNBALANCED_PUT],
    ]);
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
      expect(packed.rows).toHaveLength(hazards.length * 9);
      expect(unpackHazards(JSON.parse(JSON.stringify(packed)))).toEqual(hazards);
    }
  });

  it('round-trips SIGSEGV reasons, logged DMAR faults explained or not, and their sentences', () => {
    const inherited = historyInputs(path.join(SAMPLES_DIR, 'inherited-file.jsonl')).slice(0, 6);
    const dmar = (pasid: number) => ({ type: 'DmarFaultLogged' as const, device: '0000:6a:01.0', pasid });
    // After step 6 the entry (dsa0, 1) is gone (300's mm released) and (dsa0, 2) is 301's.
    const logged = historyStates([...inherited, dmar(1), dmar(2)], 'MM_EXIT').at(-1)!.hazards;
    expect(logged.map((h) => [h.code, h.observed, h.explained])).toEqual([
      ['DMAR_FAULT', true, true],
      ['DMAR_FAULT', true, false],
    ]);
    expect(logged[0]!.description).not.toBe(logged[1]!.description);
    const exec = historyStates(
      historyInputs(path.join(SAMPLES_DIR, 'exec-after-enqcmd.jsonl')),
      'LAZY_REFCOUNT',
    ).at(-1)!.hazards;
    expect(exec[0]).toMatchObject({ code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', observed: null });
    for (const hazards of [logged, exec]) {
      const packed = packHazards(hazards);
      expect(packed.descriptions.length).toBeLessThanOrEqual(hazards.length);
      expect(unpackHazards(JSON.parse(JSON.stringify(packed)))).toEqual(hazards);
    }
  });
});
