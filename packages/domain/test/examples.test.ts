import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DerivedEvent,
  HistoryLineReader,
  type InputEvent,
  POLICIES,
  type Policy,
  Replayer,
  toStateDocument,
} from '../src/index.js';
import { dsa0, execAfterEnqcmd, iax0, inheritedFile, workedExample } from './support/specification.js';
import {
  countChange,
  counted,
  expectDerived,
  expectStates,
  type FileRow,
  type Observed,
  replaySteps,
} from './support/steps.js';

const samples = new URL('../../../samples/', import.meta.url);

const countIn = (policy: Policy) => (n: number) => (policy === 'LAZY_REFCOUNT' ? n : null);

describe('the second example: an inherited file keeps PASID 1 alive after its process exits', () => {
  // Step 2's file at (300, 3), not close-on-exec, and 301's inherited copy of it: both refer to
  // the one open file, whose bond is to 300's mm.
  const fd3Of300: FileRow = [300, 3, dsa0, 1, 300, false];
  const fd3Of301: FileRow = [301, 3, dsa0, 1, 300, false];
  function expected(policy: Policy): Observed[] {
    const r = countIn(policy);
    return [
      { pasids: [], tasks: { 300: [null, false] }, files: [], freed: [], hazards: [] },
      {
        pasids: [[1, 300, r(1), [dsa0], false]],
        tasks: { 300: [null, false] },
        files: [fd3Of300],
        freed: [],
        hazards: [],
      },
      {
        pasids: [[1, 300, r(2), [dsa0], false]],
        tasks: { 300: [1, true] },
        files: [fd3Of300],
        freed: [],
        hazards: [],
      },
      {
        pasids: [[1, 300, r(2), [dsa0], false]],
        tasks: { 300: [1, true], 301: [null, false] },
        files: [fd3Of300, fd3Of301],
        freed: [],
        hazards: [],
      },
      // 300 exits: its mm is released (entry gone), not dropped: 301's fd 3 still holds the bond.
      {
        pasids: [[1, 300, r(1), [], true]],
        tasks: { 301: [null, false] },
        files: [fd3Of301],
        freed: [],
        hazards: [],
      },
      {
        pasids: [
          [1, 300, r(1), [], true],
          [2, 301, r(1), [dsa0], false],
        ],
        tasks: { 301: [null, false] },
        files: [fd3Of301],
        freed: [],
        hazards: [],
      },
      {
        pasids: [[2, 301, r(1), [dsa0], false]],
        tasks: { 301: [null, false] },
        files: [],
        freed: [1],
        hazards: [],
      },
    ];
  }
  for (const policy of POLICIES) {
    it(`${policy}: state after each step (PASID 1 freed at step 7, at the last close)`, () => {
      const steps = replaySteps(policy, inheritedFile);
      expectStates(steps, expected(policy));
    });
  }
  /**
   * From the spec's table and rules: step 5 releases 300's mm (its entry goes) before closing its
   * fd 3, which leaves the file open in 301; step 7 is the file's last close, which unbinds its
   * bond to 300's mm (named by pid 300; the file by the step that opened it, 2). The policies differ
   * only in the counts (LAZY_REFCOUNT: 1, 2, 1 at 300's exit, 0 at step 7), and all three free
   * PASID 1 at step 7: the count reaches 0, the released mm is dropped, the last bond goes.
   */
  function derived(policy: Policy): DerivedEvent[][] {
    const c = counted(policy);
    return [
      [],
      [
        { type: 'PasidAllocated', pid: 300, pasid: 1 },
        c({ type: 'BondAdded', pid: 300, device: dsa0, pasid: 1, bonds: 1, fd: 3, cloexec: false }, 1),
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 300 },
      ],
      [
        c({ type: 'MsrFixedUp', tid: 300, pasid: 1 }, 2),
        { type: 'WorkSubmitted', tid: 300, device: dsa0, pasid: 1 },
      ],
      [],
      [
        ...countChange(policy)(300, 1, 1),
        { type: 'MmReleased', pid: 300 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'FileClosed', pid: 300, fd: 3, reason: 'exit' },
        { type: 'ProcessExited', pid: 300 },
      ],
      [
        { type: 'PasidAllocated', pid: 301, pasid: 2 },
        c({ type: 'BondAdded', pid: 301, device: dsa0, pasid: 2, bonds: 1 }, 1),
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 2, pid: 301 },
      ],
      [
        c({ type: 'DeviceUnbound', pid: 300, device: dsa0, pasid: 1, reason: 'close', file: 2 }, 0),
        { type: 'PasidFreed', pid: 300, pasid: 1 },
      ],
    ];
  }
  for (const policy of POLICIES) {
    it(`${policy}: the derived events of each of steps 1-7`, () => {
      expectDerived(replaySteps(policy, inheritedFile), derived(policy));
    });
  }
});

describe("the third example: exec after ENQCMD (the seed's UNBALANCED_PUT)", () => {
  function expected(policy: Policy): Observed[] {
    const r = countIn(policy);
    const lazy = policy === 'LAZY_REFCOUNT';
    const segv = ['SIGSEGV ALREADY_ACTIVATED'];
    return [
      { pasids: [], tasks: { 400: [null, false] }, files: [], freed: [], hazards: [] },
      {
        pasids: [[1, 400, r(1), [dsa0], false]],
        tasks: { 400: [null, false] },
        files: [],
        freed: [],
        hazards: [],
      },
      {
        pasids: [[1, 400, r(2), [dsa0], false]],
        tasks: { 400: [1, true] },
        files: [],
        freed: [],
        hazards: [],
      },
      // exec: the old mm's PASID is freed; the task stays activated with an invalid MSR.
      { pasids: [], tasks: { 400: [null, true] }, files: [], freed: [1], hazards: [] },
      {
        pasids: [[1, 400, r(1), [iax0], false]],
        tasks: { 400: [null, true] },
        files: [],
        freed: [1],
        hazards: [],
      },
      {
        pasids: [[1, 400, r(1), [iax0], false]],
        tasks: { 400: [null, true] },
        files: [],
        freed: [1],
        hazards: segv,
      },
      {
        pasids: [[1, 400, r(1), [iax0], false]],
        tasks: { 400: [null, true], 401: [null, false] },
        files: [],
        freed: [1],
        hazards: segv,
      },
      {
        pasids: [[1, 400, r(2), [iax0], false]],
        tasks: { 400: [null, true], 401: [1, true] },
        files: [],
        freed: [1],
        hazards: segv,
      },
      {
        pasids: [[1, 400, r(1), [iax0], false]],
        tasks: { 401: [1, true] },
        files: [],
        freed: [1],
        hazards: lazy ? [...segv, 'UNBALANCED_PUT'] : segv,
      },
      {
        pasids: [],
        tasks: {},
        files: [],
        freed: [1, 1],
        hazards: lazy ? [...segv, 'UNBALANCED_PUT', 'PASID_FREED_WHILE_BOUND', 'REFCOUNT_UNDERFLOW'] : segv,
      },
    ];
  }
  for (const policy of POLICIES) {
    it(`${policy}: state after each step (SIGSEGV ALREADY_ACTIVATED at step 6 under every policy)`, () => {
      const steps = replaySteps(policy, execAfterEnqcmd);
      expectStates(steps, expected(policy));
    });
  }
  /**
   * From the spec's table and rules. Step 4 (exec): the put (LAZY_REFCOUNT), the old mm released
   * (entry (dsa0, 1) torn down), its process bond unbound (the entry is gone already): PASID 1 freed
   * under every policy. Step 6 is SIGSEGV ALREADY_ACTIVATED under every policy. Steps 9-10: under
   * LAZY_REFCOUNT the seed's put on the new mm (UNBALANCED_PUT), then the free while the bond on
   * iax0 remains, and the bond's unbind at exit finding value 1 free (REFCOUNT_UNDERFLOW); under
   * MM_EXIT and EAGER_UNBIND nothing at step 9 and one free at step 10, when the mm is dropped
   * (MM_EXIT) and its last bond unbound (EAGER_UNBIND): the same events.
   */
  function derived(policy: Policy): DerivedEvent[][] {
    const c = counted(policy);
    const lazy = policy === 'LAZY_REFCOUNT';
    const exit400: DerivedEvent[] = lazy
      ? [
          { type: 'RefcountChanged', pid: 400, pasid: 1, refcount: 0 },
          { type: 'HazardDetected', code: 'PASID_FREED_WHILE_BOUND', pid: 400, pasid: 1 },
          { type: 'PasidFreed', pid: 400, pasid: 1 },
          { type: 'MmReleased', pid: 400 },
          { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
          { type: 'DeviceUnbound', pid: 400, device: iax0, pasid: 1, reason: 'exit' },
          { type: 'HazardDetected', code: 'REFCOUNT_UNDERFLOW', pid: 400, pasid: 1 },
          { type: 'ProcessExited', pid: 400 },
        ]
      : [
          { type: 'MmReleased', pid: 400 },
          { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
          { type: 'DeviceUnbound', pid: 400, device: iax0, pasid: 1, reason: 'exit' },
          { type: 'PasidFreed', pid: 400, pasid: 1 },
          { type: 'ProcessExited', pid: 400 },
        ];
    return [
      [],
      [
        { type: 'PasidAllocated', pid: 400, pasid: 1 },
        c({ type: 'BondAdded', pid: 400, device: dsa0, pasid: 1, bonds: 1 }, 1),
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 400 },
      ],
      [
        c({ type: 'MsrFixedUp', tid: 400, pasid: 1 }, 2),
        { type: 'WorkSubmitted', tid: 400, device: dsa0, pasid: 1 },
      ],
      [
        ...countChange(policy)(400, 1, 1),
        { type: 'MmReleased', pid: 400 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        c({ type: 'DeviceUnbound', pid: 400, device: dsa0, pasid: 1, reason: 'exec' }, 0),
        { type: 'PasidFreed', pid: 400, pasid: 1 },
      ],
      [
        { type: 'PasidAllocated', pid: 400, pasid: 1 },
        c({ type: 'BondAdded', pid: 400, device: iax0, pasid: 1, bonds: 1 }, 1),
        { type: 'PasidEntryInstalled', device: iax0, pasid: 1, pid: 400 },
      ],
      [{ type: 'HazardDetected', code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', tid: 400, device: iax0 }],
      [],
      [
        c({ type: 'MsrFixedUp', tid: 401, pasid: 1 }, 2),
        { type: 'WorkSubmitted', tid: 401, device: iax0, pasid: 1 },
      ],
      lazy
        ? [
            { type: 'HazardDetected', code: 'UNBALANCED_PUT', tid: 400, pid: 400, pasid: 1 },
            { type: 'RefcountChanged', pid: 400, pasid: 1, refcount: 1 },
          ]
        : [],
      exit400,
    ];
  }
  for (const policy of POLICIES) {
    it(`${policy}: the derived events of each of steps 1-10`, () => {
      expectDerived(replaySteps(policy, execAfterEnqcmd), derived(policy));
    });
  }
});

/** Reads a sample: its header and input events. */
function readSample(name: string) {
  const lines = new HistoryLineReader().push(`${readFileSync(new URL(name, samples), 'utf8')}\n`);
  const header = lines.find((l) => 'header' in l);
  return {
    policy: (header && 'header' in header ? header.header.policy : undefined) ?? 'MM_EXIT',
    maxPasid: (header && 'header' in header ? header.header.maxPasid : undefined) ?? 1 << 20,
    events: lines.flatMap((l) => ('event' in l ? [l.event] : [])),
  };
}

function replayAll(policy: Policy, maxPasid: number, events: readonly InputEvent[]) {
  const replayer = new Replayer({ policy, maxPasid });
  events.forEach((input, i) => {
    const decision = replayer.apply(input);
    if (!decision.ok) throw new Error(`event ${i + 1}: ${decision.rejection.message}`);
  });
  return replayer.state;
}

describe('every history in samples/ replays', () => {
  const files = readdirSync(samples).filter((f) => f.endsWith('.jsonl'));
  it('the samples are the ones this suite knows', () => {
    expect(files.sort()).toEqual([
      'eager-unbind-wrong-address-space.jsonl',
      'exec-after-enqcmd.jsonl',
      'inherited-file.jsonl',
      'pasid-exhaustion.jsonl',
      'random-10k.jsonl',
      'worked-example.jsonl',
    ]);
  });
  for (const name of ['worked-example', 'inherited-file', 'exec-after-enqcmd']) {
    it(`${name}.jsonl gives ${name}.expected.json under its header's policy`, () => {
      const { policy, maxPasid, events } = readSample(`${name}.jsonl`);
      const want: unknown = JSON.parse(readFileSync(new URL(`${name}.expected.json`, samples), 'utf8'));
      expect(toStateDocument(replayAll(policy, maxPasid, events))).toEqual(want);
    });
  }
  it('the samples as files are the examples of this suite', () => {
    expect(readSample('worked-example.jsonl').events).toEqual(workedExample);
    expect(readSample('inherited-file.jsonl').events).toEqual(inheritedFile);
    expect(readSample('exec-after-enqcmd.jsonl').events).toEqual(execAfterEnqcmd);
  });
  it.each(POLICIES)(
    '%s: the version-1 samples without exec give the same results as version 1 did (counts, frees, hazards)',
    (policy) => {
      const wrong = replayAll(policy, 1 << 20, readSample('eager-unbind-wrong-address-space.jsonl').events);
      const codes = toStateDocument(wrong).hazards.map((h) => h.code);
      expect(codes).toEqual(
        policy === 'EAGER_UNBIND'
          ? ['SIGSEGV', 'DMAR_FAULT', 'WRONG_ADDRESS_SPACE']
          : ['SIGSEGV', 'DMAR_FAULT', 'DMAR_FAULT'],
      );
      const exhaustion = readSample('pasid-exhaustion.jsonl');
      const doc = toStateDocument(replayAll(policy, exhaustion.maxPasid, exhaustion.events));
      expect(doc.hazards.map((h) => h.code)).toEqual(['PASID_EXHAUSTED', 'SIGSEGV']);
    },
  );
  it.each(POLICIES)(
    '%s: random-10k still replays, but the activation flag changes its results: exec-ed tasks now SIGSEGV (ALREADY_ACTIVATED)',
    (policy) => {
      const { maxPasid, events } = readSample('random-10k.jsonl');
      const state = replayAll(policy, maxPasid, events);
      expect(state.version).toBe(10_000);
      const reasons = state.hazards.filter((h) => h.code === 'SIGSEGV').map((h) => h.reason);
      expect(reasons).toContain('ALREADY_ACTIVATED');
      expect(reasons).toContain('NO_PASID');
      if (policy === 'LAZY_REFCOUNT')
        expect(state.hazards.some((h) => h.code === 'UNBALANCED_PUT')).toBe(true);
    },
  );
});
