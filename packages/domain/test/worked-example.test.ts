import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DerivedEvent, POLICIES, type Policy, toStateDocument } from '../src/index.js';
import { dsa0, iax0, workedExample } from './support/specification.js';
import {
  countChange,
  counted,
  expectDerived,
  expectStates,
  type Observed,
  type PasidRow,
  replaySteps,
} from './support/steps.js';

/** The contract's `replay --json` document, committed beside the sample history. */
const workedExampleDocument: unknown = JSON.parse(
  readFileSync(new URL('../../../samples/worked-example.expected.json', import.meta.url), 'utf8'),
);

const segv = 'SIGSEGV NO_PASID';

/**
 * The spec's table, steps 1-14, as the state after each step. LAZY_REFCOUNT and MM_EXIT allocate
 * and free the same PASIDs at the same steps (counts only under LAZY_REFCOUNT); EAGER_UNBIND frees
 * PASID 1 at step 11, while task 100 still carries it, and hands it to process 200 at step 13. No
 * event uses an fd, so no file is ever open; no mm holding a PASID is released before its drop.
 */
function expectedStates(policy: Policy): Observed[] {
  const r = (n: number) => (policy === 'LAZY_REFCOUNT' ? n : null);
  const eager = policy === 'EAGER_UNBIND';
  const pasid1 = (count: number, devices: string[]): PasidRow => [1, 100, r(count), devices, false];
  const none = { files: [], freed: [], hazards: [] };
  return [
    { pasids: [], tasks: { 100: [null, false] }, ...none },
    { pasids: [pasid1(1, [dsa0])], tasks: { 100: [null, false] }, ...none },
    { pasids: [pasid1(1, [dsa0])], tasks: { 100: [null, false], 101: [null, false] }, ...none },
    { pasids: [pasid1(2, [dsa0])], tasks: { 100: [1, true], 101: [null, false] }, ...none },
    { pasids: [pasid1(3, [dsa0])], tasks: { 100: [1, true], 101: [1, true] }, ...none },
    { pasids: [pasid1(4, [dsa0, iax0])], tasks: { 100: [1, true], 101: [1, true] }, ...none },
    {
      pasids: [pasid1(4, [dsa0, iax0])],
      tasks: { 100: [1, true], 101: [1, true], 200: [null, false] },
      ...none,
    },
    {
      pasids: [pasid1(4, [dsa0, iax0])],
      tasks: { 100: [1, true], 101: [1, true], 200: [null, false] },
      files: [],
      freed: [],
      hazards: [segv],
    },
    {
      pasids: [pasid1(3, [iax0])],
      tasks: { 100: [1, true], 101: [1, true], 200: [null, false] },
      files: [],
      freed: [],
      hazards: [segv],
    },
    {
      pasids: [pasid1(2, [iax0])],
      tasks: { 100: [1, true], 200: [null, false] },
      files: [],
      freed: [],
      hazards: [segv],
    },
    // Step 11: task 100 still holds 1 in its MSR; EAGER_UNBIND has freed it all the same.
    {
      pasids: eager ? [] : [pasid1(1, [])],
      tasks: { 100: [1, true], 200: [null, false] },
      files: [],
      freed: eager ? [1] : [],
      hazards: [segv],
    },
    {
      pasids: eager ? [] : [pasid1(1, [])],
      tasks: { 100: [1, true], 200: [null, false] },
      files: [],
      freed: eager ? [1] : [],
      hazards: [segv, 'DMAR_FAULT'],
    },
    {
      pasids: eager ? [[1, 200, null, [dsa0], false]] : [pasid1(1, []), [2, 200, r(1), [dsa0], false]],
      tasks: { 100: [1, true], 200: [null, false] },
      files: [],
      freed: eager ? [1] : [],
      hazards: [segv, 'DMAR_FAULT'],
    },
    {
      pasids: eager ? [[1, 200, null, [dsa0], false]] : [[2, 200, r(1), [dsa0], false]],
      tasks: { 200: [null, false] },
      files: [],
      freed: [1],
      hazards: [segv, 'DMAR_FAULT'],
    },
  ];
}

/**
 * The derived events of steps 1-14, from the spec's rules and the table's "derived" column, with
 * the package's own `BondAdded`, `RefcountChanged` and `ProcessExited` (README). Under
 * LAZY_REFCOUNT each count change rides on its event.
 */
function expectedDerived(policy: Policy): DerivedEvent[][] {
  const c = counted(policy);
  const change = countChange(policy);
  const freedAt14: DerivedEvent[] =
    policy === 'LAZY_REFCOUNT'
      ? // The put of task 100 drops the count to 0 (PASID 1 freed), then the mm is released.
        [
          { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 0 },
          { type: 'PasidFreed', pid: 100, pasid: 1 },
          { type: 'MmReleased', pid: 100 },
        ]
      : policy === 'MM_EXIT'
        ? // Released with no bond left: dropped, and PASID 1 freed with it.
          [
            { type: 'MmReleased', pid: 100 },
            { type: 'PasidFreed', pid: 100, pasid: 1 },
          ]
        : // PASID 1 went at step 11; 100's mm holds none and has no entry (dsa0, 1 is 200's).
          [{ type: 'MmReleased', pid: 100 }];
  return [
    [],
    [
      { type: 'PasidAllocated', pid: 100, pasid: 1 },
      c({ type: 'BondAdded', pid: 100, device: dsa0, pasid: 1, bonds: 1 }, 1),
      { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 100 },
    ],
    [],
    [
      c({ type: 'MsrFixedUp', tid: 100, pasid: 1 }, 2),
      { type: 'WorkSubmitted', tid: 100, device: dsa0, pasid: 1 },
    ],
    [
      c({ type: 'MsrFixedUp', tid: 101, pasid: 1 }, 3),
      { type: 'WorkSubmitted', tid: 101, device: dsa0, pasid: 1 },
    ],
    [
      c({ type: 'BondAdded', pid: 100, device: iax0, pasid: 1, bonds: 1 }, 4),
      { type: 'PasidEntryInstalled', device: iax0, pasid: 1, pid: 100 },
    ],
    [],
    [{ type: 'HazardDetected', code: 'SIGSEGV', reason: 'NO_PASID', tid: 200, device: dsa0 }],
    [{ type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' }, ...change(100, 1, 3)],
    change(100, 1, 2),
    [
      { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'unbind' },
      ...change(100, 1, 1),
      // EAGER_UNBIND: the mm's last bond is unbound, so PASID 1 goes although task 100 carries it.
      ...(policy === 'EAGER_UNBIND' ? [{ type: 'PasidFreed', pid: 100, pasid: 1 } as const] : []),
    ],
    [{ type: 'HazardDetected', code: 'DMAR_FAULT', tid: 100, device: dsa0, pasid: 1 }],
    // The lowest free value: 2 while 1 is held, 1 under EAGER_UNBIND.
    policy === 'EAGER_UNBIND'
      ? [
          { type: 'PasidAllocated', pid: 200, pasid: 1 },
          { type: 'BondAdded', pid: 200, device: dsa0, pasid: 1, bonds: 1 },
          { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 200 },
        ]
      : [
          { type: 'PasidAllocated', pid: 200, pasid: 2 },
          c({ type: 'BondAdded', pid: 200, device: dsa0, pasid: 2, bonds: 1 }, 1),
          { type: 'PasidEntryInstalled', device: dsa0, pasid: 2, pid: 200 },
        ],
    [...freedAt14, { type: 'ProcessExited', pid: 100 }],
  ];
}

describe('the worked example, step by step', () => {
  for (const policy of POLICIES) {
    it(`${policy}: counts, allocations, frees, entries, MSRs and activation after each of steps 1-14`, () => {
      expectStates(replaySteps(policy, workedExample), expectedStates(policy));
    });
    it(`${policy}: the derived events of each of steps 1-14`, () => {
      expectDerived(replaySteps(policy, workedExample), expectedDerived(policy));
    });
  }

  it('MM_EXIT and EAGER_UNBIND: no derived event carries a count', () => {
    for (const policy of ['MM_EXIT', 'EAGER_UNBIND'] as const) {
      for (const step of replaySteps(policy, workedExample)) {
        for (const event of step.derived) expect(event).not.toHaveProperty('refcount');
      }
    }
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
    const steps = replaySteps('LAZY_REFCOUNT', workedExample);
    expect(toStateDocument(steps[13]!.state)).toEqual(workedExampleDocument);
  });
});
