import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  checkStepInvariants,
  draftOf,
  generateHistory,
  INPUT_EVENT_TYPES,
  type InputEvent,
  POLICIES,
  Replayer,
  unbalancedSince,
} from '../src/index.js';
import { dsa0, workedExample } from './support/specification.js';

function take(n: number, events: Iterator<InputEvent>): InputEvent[] {
  return Array.from({ length: n }, () => events.next().value as InputEvent);
}

describe('generateHistory', () => {
  it.each(POLICIES)(
    '%s: every event is accepted, all nine types appear, invariants hold until an UNBALANCED_PUT',
    (policy) => {
      const events = take(3000, generateHistory({ policy, maxPasid: 1 << 20, seed: 5 }));
      const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
      for (const [i, input] of events.entries()) {
        expect(replayer.apply(input).ok, `event ${i + 1}`).toBe(true);
        if (i % 50 === 0 && unbalancedSince(replayer.state) === null) {
          expect(checkInvariants(replayer.state)).toEqual([]);
        }
      }
      expect(new Set(events.map((e) => e.type))).toEqual(new Set(INPUT_EVENT_TYPES));
      expect(events.some((e) => e.type === 'DeviceBound' && e.fd !== undefined)).toBe(true);
      expect(events.some((e) => e.type === 'Enqcmd' && e.device === undefined)).toBe(true);
      const codes = new Set(replayer.state.hazards.map((h) => h.code));
      expect(codes.has('SIGSEGV')).toBe(true);
      if (policy === 'LAZY_REFCOUNT') expect(codes.has('UNBALANCED_PUT')).toBe(true);
    },
  );
  it('is reproducible from its seed and differs between seeds', () => {
    const a = take(200, generateHistory({ policy: 'MM_EXIT', maxPasid: 1 << 20, seed: 1 }));
    const b = take(200, generateHistory({ policy: 'MM_EXIT', maxPasid: 1 << 20, seed: 1 }));
    const c = take(200, generateHistory({ policy: 'MM_EXIT', maxPasid: 1 << 20, seed: 2 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('runs out of PASIDs with a small maxPasid', () => {
    const replayer = new Replayer({ policy: 'MM_EXIT', maxPasid: 4 });
    for (const input of take(2000, generateHistory({ policy: 'MM_EXIT', maxPasid: 4, seed: 3 }))) {
      replayer.apply(input);
    }
    expect(replayer.state.hazards.some((h) => h.code === 'PASID_EXHAUSTED')).toBe(true);
  });
});

describe('the invariant checks find breaches (they are not vacuous)', () => {
  function lazyAfterStep(n: number) {
    const r = new Replayer({ policy: 'LAZY_REFCOUNT', maxPasid: 1 << 20 });
    for (const input of workedExample.slice(0, n)) r.apply(input);
    return draftOf(r.state);
  }
  it('a wrong count (3)', () => {
    const draft = lazyAfterStep(5);
    draft.pasids.get(1)!.refcount = 7;
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(3);
  });
  it('an entry without a bond (2)', () => {
    const draft = lazyAfterStep(5);
    draft.entries.get(1)!.set('0000:00:01.0', draft.processes.get(100)!.mm);
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(2);
  });
  it('a PASID out of range or held by no live process (1)', () => {
    const draft = lazyAfterStep(2);
    draft.mms.get(draft.processes.get(100)!.mm)!.pasid = null;
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(1);
  });
  it('a dropped mm that still holds its PASID (6)', () => {
    const draft = lazyAfterStep(2);
    const mm = draft.mms.get(draft.processes.get(100)!.mm)!;
    mm.released = true;
    mm.bonds.clear();
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(6);
  });
  it('a stale MSR under LAZY_REFCOUNT (4)', () => {
    const draft = lazyAfterStep(5);
    draft.tasks.get(101)!.msr = 9;
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(4);
  });
  it('MM_EXIT freeing on an unbind (5)', () => {
    const r = new Replayer({ policy: 'MM_EXIT', maxPasid: 1 << 20 });
    for (const input of workedExample.slice(0, 2)) r.apply(input);
    const before = r.fork();
    const after = draftOf(r.state);
    after.pasids.delete(1);
    const violations = checkStepInvariants(before, after, [
      { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
      { type: 'PasidFreed', pid: 100, pasid: 1 },
    ]);
    expect(violations.map((v) => v.invariant)).toEqual([5]);
  });
});
