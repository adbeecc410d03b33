import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  checkStepInvariants,
  type DerivedEvent,
  type Policy,
  Replayer,
  type State,
  toStateDocument,
} from '../src/index.js';
import { dsa0, iax0, workedExample } from './support/specification.js';

/** The contract's `replay --json` document, committed beside the sample history. */
const workedExampleDocument: unknown = JSON.parse(
  readFileSync(new URL('../../../samples/worked-example.expected.json', import.meta.url), 'utf8'),
);

/** [pasid, holder pid, refcount, devices with an entry] */
type PasidRow = [number, number, number | null, string[]];
interface Expected {
  pasids: PasidRow[];
  /** Live tasks: tid -> MSR (null when invalid). */
  msrs: Record<number, number | null>;
  freed: number[];
  /** Codes of the hazards so far. */
  hazards: string[];
}

function replaySteps(policy: Policy, inputs = workedExample) {
  const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
  return inputs.map((input) => {
    const before = replayer.fork();
    const decision = replayer.apply(input);
    if (!decision.ok) throw new Error(decision.rejection.message);
    expect(checkInvariants(replayer.state)).toEqual([]);
    expect(checkStepInvariants(before, replayer.state, decision.events)).toEqual([]);
    return { derived: decision.events, state: replayer.fork() };
  });
}

function observed(state: State): Expected {
  const doc = toStateDocument(state);
  return {
    pasids: doc.pasids.map((p) => [p.pasid, p.pid, p.refcount, p.devices]),
    msrs: Object.fromEntries(doc.tasks.map((t) => [t.tid, t.msr])),
    freed: doc.freed,
    hazards: doc.hazards.map((h) => h.code),
  };
}

const lazy = (rc: number | null, policy: Policy) => (policy === 'LAZY_REFCOUNT' ? rc : null);

/** Steps 1-14 under LAZY_REFCOUNT and MM_EXIT: same PASIDs at the same steps, counts only under LAZY. */
function expectedLazyOrMmExit(policy: Policy): Expected[] {
  const r = (n: number) => lazy(n, policy);
  return [
    { pasids: [], msrs: { 100: null }, freed: [], hazards: [] },
    { pasids: [[1, 100, r(1), [dsa0]]], msrs: { 100: null }, freed: [], hazards: [] },
    { pasids: [[1, 100, r(1), [dsa0]]], msrs: { 100: null, 101: null }, freed: [], hazards: [] },
    { pasids: [[1, 100, r(2), [dsa0]]], msrs: { 100: 1, 101: null }, freed: [], hazards: [] },
    { pasids: [[1, 100, r(3), [dsa0]]], msrs: { 100: 1, 101: 1 }, freed: [], hazards: [] },
    { pasids: [[1, 100, r(4), [dsa0, iax0]]], msrs: { 100: 1, 101: 1 }, freed: [], hazards: [] },
    { pasids: [[1, 100, r(4), [dsa0, iax0]]], msrs: { 100: 1, 101: 1, 200: null }, freed: [], hazards: [] },
    {
      pasids: [[1, 100, r(4), [dsa0, iax0]]],
      msrs: { 100: 1, 101: 1, 200: null },
      freed: [],
      hazards: ['SIGSEGV'],
    },
    {
      pasids: [[1, 100, r(3), [iax0]]],
      msrs: { 100: 1, 101: 1, 200: null },
      freed: [],
      hazards: ['SIGSEGV'],
    },
    { pasids: [[1, 100, r(2), [iax0]]], msrs: { 100: 1, 200: null }, freed: [], hazards: ['SIGSEGV'] },
    { pasids: [[1, 100, r(1), []]], msrs: { 100: 1, 200: null }, freed: [], hazards: ['SIGSEGV'] },
    {
      pasids: [[1, 100, r(1), []]],
      msrs: { 100: 1, 200: null },
      freed: [],
      hazards: ['SIGSEGV', 'DMAR_FAULT'],
    },
    {
      pasids: [
        [1, 100, r(1), []],
        [2, 200, r(1), [dsa0]],
      ],
      msrs: { 100: 1, 200: null },
      freed: [],
      hazards: ['SIGSEGV', 'DMAR_FAULT'],
    },
    { pasids: [[2, 200, r(1), [dsa0]]], msrs: { 200: null }, freed: [1], hazards: ['SIGSEGV', 'DMAR_FAULT'] },
  ];
}

describe('the worked example, step by step', () => {
  for (const policy of ['LAZY_REFCOUNT', 'MM_EXIT'] as const) {
    it(`${policy}: counts, allocations, frees, entries and MSRs after each step`, () => {
      const steps = replaySteps(policy);
      const expected = expectedLazyOrMmExit(policy);
      steps.forEach((step, i) => {
        expect(observed(step.state), `after step ${i + 1}`).toEqual(expected[i]);
      });
    });
  }

  it('LAZY_REFCOUNT: the derived events of each step carry the count', () => {
    const derived = replaySteps('LAZY_REFCOUNT').map((s) => s.derived);
    const expected: DerivedEvent[][] = [
      [],
      [
        { type: 'PasidAllocated', pid: 100, pasid: 1 },
        { type: 'BondAdded', pid: 100, device: dsa0, pasid: 1, bonds: 1, refcount: 1 },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 100 },
      ],
      [],
      [
        { type: 'MsrFixedUp', tid: 100, pasid: 1, refcount: 2 },
        { type: 'WorkSubmitted', tid: 100, device: dsa0, pasid: 1 },
      ],
      [
        { type: 'MsrFixedUp', tid: 101, pasid: 1, refcount: 3 },
        { type: 'WorkSubmitted', tid: 101, device: dsa0, pasid: 1 },
      ],
      [
        { type: 'BondAdded', pid: 100, device: iax0, pasid: 1, bonds: 1, refcount: 4 },
        { type: 'PasidEntryInstalled', device: iax0, pasid: 1, pid: 100 },
      ],
      [],
      [{ type: 'HazardDetected', code: 'SIGSEGV', reason: 'NO_PASID', tid: 200, device: dsa0 }],
      [
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 3 },
      ],
      [{ type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 2 }],
      [
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'unbind' },
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 1 },
      ],
      [{ type: 'HazardDetected', code: 'DMAR_FAULT', tid: 100, device: dsa0, pasid: 1 }],
      [
        { type: 'PasidAllocated', pid: 200, pasid: 2 },
        { type: 'BondAdded', pid: 200, device: dsa0, pasid: 2, bonds: 1, refcount: 1 },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 2, pid: 200 },
      ],
      [
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 0 },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
        { type: 'MmReleased', pid: 100 },
        { type: 'ProcessExited', pid: 100 },
      ],
    ];
    expect(derived).toEqual(expected);
  });

  it('MM_EXIT: PASID 1 outlives its last unbind and is freed when process 100 ends', () => {
    const steps = replaySteps('MM_EXIT');
    expect(steps[10]?.derived).toEqual([
      { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'unbind' },
    ]);
    expect(steps[13]?.derived).toEqual([
      { type: 'MmReleased', pid: 100 },
      { type: 'PasidFreed', pid: 100, pasid: 1 },
      { type: 'ProcessExited', pid: 100 },
    ]);
    for (const step of steps) {
      for (const event of step.derived) expect(event).not.toHaveProperty('refcount');
    }
  });

  it('EAGER_UNBIND: PASID 1 is freed at step 11 and handed to process 200 at step 13', () => {
    const steps = replaySteps('EAGER_UNBIND');
    const at = (n: number) => observed(steps[n - 1]!.state);
    expect(at(10)).toEqual({
      pasids: [[1, 100, null, [iax0]]],
      msrs: { 100: 1, 200: null },
      freed: [],
      hazards: ['SIGSEGV'],
    });
    expect(steps[10]?.derived).toEqual([
      { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'unbind' },
      { type: 'PasidFreed', pid: 100, pasid: 1 },
    ]);
    // Task 100 still carries 1 in its MSR although the PASID is freed.
    expect(at(11)).toEqual({ pasids: [], msrs: { 100: 1, 200: null }, freed: [1], hazards: ['SIGSEGV'] });
    expect(at(12).hazards).toEqual(['SIGSEGV', 'DMAR_FAULT']);
    expect(at(13).pasids).toEqual([[1, 200, null, [dsa0]]]);
    expect(at(14)).toEqual({
      pasids: [[1, 200, null, [dsa0]]],
      msrs: { 200: null },
      freed: [1],
      hazards: ['SIGSEGV', 'DMAR_FAULT'],
    });
    expect(steps[13]?.derived).toEqual([
      { type: 'MmReleased', pid: 100 },
      { type: 'ProcessExited', pid: 100 },
    ]);
  });

  it('EAGER_UNBIND: an Enqcmd 100 dsa0 after step 13 is WRONG_ADDRESS_SPACE into process 200', () => {
    const inputs = [...workedExample.slice(0, 13), { type: 'Enqcmd', tid: 100, device: dsa0 } as const];
    const steps = replaySteps('EAGER_UNBIND', inputs);
    expect(steps[13]?.derived).toEqual([
      { type: 'HazardDetected', code: 'WRONG_ADDRESS_SPACE', tid: 100, pid: 200, device: dsa0, pasid: 1 },
    ]);
    expect(toStateDocument(steps[13]!.state).hazards.at(-1)).toEqual({
      code: 'WRONG_ADDRESS_SPACE',
      event: 14,
      tid: 100,
      pid: 200,
      device: dsa0,
      pasid: 1,
    });
  });

  it('LAZY_REFCOUNT and MM_EXIT: the same Enqcmd after step 13 is a DMAR_FAULT, never the wrong space', () => {
    for (const policy of ['LAZY_REFCOUNT', 'MM_EXIT'] as const) {
      const inputs = [...workedExample.slice(0, 13), { type: 'Enqcmd', tid: 100, device: dsa0 } as const];
      const steps = replaySteps(policy, inputs);
      expect(steps[13]?.derived).toEqual([
        { type: 'HazardDetected', code: 'DMAR_FAULT', tid: 100, device: dsa0, pasid: 1 },
      ]);
    }
  });

  it('LAZY_REFCOUNT gives the document of the contract', () => {
    const steps = replaySteps('LAZY_REFCOUNT');
    expect(toStateDocument(steps[13]!.state)).toEqual(workedExampleDocument);
  });
});
