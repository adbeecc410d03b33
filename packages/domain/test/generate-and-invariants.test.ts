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
} from '../src/index.js';
import { dsa0, workedExample } from './support/specification.js';

function take(n: number, events: Iterator<InputEvent>): InputEvent[] {
  return Array.from({ length: n }, () => events.next().value as InputEvent);
}

describe('generateHistory', () => {
  it.each(POLICIES)('%s: every event is accepted, all seven types appear, invariants hold', (policy) => {
    const events = take(3000, generateHistory({ policy, maxPasid: 1 << 20, seed: 5 }));
    const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
    for (const [i, input] of events.entries()) {
      expect(replayer.apply(input).ok, `event ${i + 1}`).toBe(true);
      if (i % 100 === 0) expect(checkInvariants(replayer.state)).toEqual([]);
    }
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(INPUT_EVENT_TYPES));
    expect(replayer.state.hazards.length).toBeGreaterThan(0);
  });
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
    draft.pasids.get(1)!.devices.add('0000:00:01.0');
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(2);
  });
  it('a PASID out of range or held by no live process (1)', () => {
    const draft = lazyAfterStep(2);
    draft.processes.get(100)!.mm.pasid = null;
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(1);
  });
  it('a stale MSR under LAZY_REFCOUNT (4)', () => {
    const draft = lazyAfterStep(5);
    draft.tasks.get(101)!.msr = 9;
    expect(checkInvariants(draft).map((v) => v.invariant)).toContain(4);
  });
  it('MM_EXIT freeing on an unbind (5)', () => {
    const r = new Replayer({ policy: 'MM_EXIT', maxPasid: 1 << 20 });
    for (const input of workedExample.slice(0, 2)) r.apply(input);
    const violations = checkStepInvariants(r.state, { type: 'DeviceUnbound', pid: 100, device: dsa0 }, [
      { type: 'PasidEntryRemoved', device: dsa0, pasid: 1 },
      { type: 'PasidFreed', pid: 100, pasid: 1 },
    ]);
    expect(violations.map((v) => v.invariant)).toEqual([5]);
  });
});
