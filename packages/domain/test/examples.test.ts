import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkInvariants,
  checkStepInvariants,
  type DerivedEvent,
  HistoryLineReader,
  type InputEvent,
  POLICIES,
  type Policy,
  Replayer,
  type State,
  toStateDocument,
  unbalancedSince,
} from '../src/index.js';
import { dsa0, execAfterEnqcmd, iax0, inheritedFile, workedExample } from './support/specification.js';

const samples = new URL('../../../samples/', import.meta.url);

function replaySteps(policy: Policy, inputs: readonly InputEvent[]) {
  const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
  return inputs.map((input) => {
    const before = replayer.fork();
    const decision = replayer.apply(input);
    if (!decision.ok) throw new Error(decision.rejection.message);
    if (unbalancedSince(replayer.state) === null) {
      expect(checkInvariants(replayer.state)).toEqual([]);
      expect(checkStepInvariants(before, replayer.state, decision.events)).toEqual([]);
    }
    return { derived: decision.events, state: replayer.fork() };
  });
}

/** [pasid, holder pid, refcount, devices with an entry, released] */
type PasidRow = [number, number, number | null, string[], boolean];
interface Expected {
  pasids: PasidRow[];
  /** Live tasks: tid -> [MSR, activated]. */
  tasks: Record<number, [number | null, boolean]>;
  /** Open fds: [pid, fd, holder]. */
  files: [number, number, number][];
  freed: number[];
  hazards: string[];
}

function observed(state: State): Expected {
  const doc = toStateDocument(state);
  return {
    pasids: doc.pasids.map((p) => [p.pasid, p.pid, p.refcount, p.devices, p.released]),
    tasks: Object.fromEntries(doc.tasks.map((t) => [t.tid, [t.msr, t.activated]])),
    files: doc.files.map((f) => [f.pid, f.fd, f.holder]),
    freed: doc.freed,
    hazards: doc.hazards.map((h) => (h.reason ? `${h.code} ${h.reason}` : h.code)),
  };
}

const countIn = (policy: Policy) => (n: number) => (policy === 'LAZY_REFCOUNT' ? n : null);

describe('the second example: an inherited file keeps PASID 1 alive after its process exits', () => {
  function expected(policy: Policy): Expected[] {
    const r = countIn(policy);
    return [
      { pasids: [], tasks: { 300: [null, false] }, files: [], freed: [], hazards: [] },
      {
        pasids: [[1, 300, r(1), [dsa0], false]],
        tasks: { 300: [null, false] },
        files: [[300, 3, 300]],
        freed: [],
        hazards: [],
      },
      {
        pasids: [[1, 300, r(2), [dsa0], false]],
        tasks: { 300: [1, true] },
        files: [[300, 3, 300]],
        freed: [],
        hazards: [],
      },
      {
        pasids: [[1, 300, r(2), [dsa0], false]],
        tasks: { 300: [1, true], 301: [null, false] },
        files: [
          [300, 3, 300],
          [301, 3, 300],
        ],
        freed: [],
        hazards: [],
      },
      // 300 exits: its mm is released (entry gone), not dropped: 301's fd 3 still holds the bond.
      {
        pasids: [[1, 300, r(1), [], true]],
        tasks: { 301: [null, false] },
        files: [[301, 3, 300]],
        freed: [],
        hazards: [],
      },
      {
        pasids: [
          [1, 300, r(1), [], true],
          [2, 301, r(1), [dsa0], false],
        ],
        tasks: { 301: [null, false] },
        files: [[301, 3, 300]],
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
      const want = expected(policy);
      for (const [i, step] of steps.entries()) {
        expect(observed(step.state), `after step ${i + 1}`).toEqual(want[i]);
      }
    });
  }
  it('MM_EXIT: the derived events of each step', () => {
    const derived = replaySteps('MM_EXIT', inheritedFile).map((s) => s.derived);
    const want: DerivedEvent[][] = [
      [],
      [
        { type: 'PasidAllocated', pid: 300, pasid: 1 },
        { type: 'BondAdded', pid: 300, device: dsa0, pasid: 1, bonds: 1, fd: 3, cloexec: false },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 300 },
      ],
      [
        { type: 'MsrFixedUp', tid: 300, pasid: 1 },
        { type: 'WorkSubmitted', tid: 300, device: dsa0, pasid: 1 },
      ],
      [],
      [
        { type: 'MmReleased', pid: 300 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'FileClosed', pid: 300, fd: 3, reason: 'exit' },
        { type: 'ProcessExited', pid: 300 },
      ],
      [
        { type: 'PasidAllocated', pid: 301, pasid: 2 },
        { type: 'BondAdded', pid: 301, device: dsa0, pasid: 2, bonds: 1 },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 2, pid: 301 },
      ],
      [
        { type: 'DeviceUnbound', pid: 300, device: dsa0, pasid: 1, reason: 'close', file: 2 },
        { type: 'PasidFreed', pid: 300, pasid: 1 },
      ],
    ];
    expect(derived).toEqual(want);
  });
  it('LAZY_REFCOUNT: the count of PASID 1 goes 1 (bind), 2 (fix-up), 1 (exit of 300), 0 at step 7', () => {
    const derived = replaySteps('LAZY_REFCOUNT', inheritedFile).map((s) => s.derived);
    expect(derived[4]?.[0]).toEqual({ type: 'RefcountChanged', pid: 300, pasid: 1, refcount: 1 });
    expect(derived[6]).toEqual([
      { type: 'DeviceUnbound', pid: 300, device: dsa0, pasid: 1, reason: 'close', file: 2, refcount: 0 },
      { type: 'PasidFreed', pid: 300, pasid: 1 },
    ]);
  });
});

describe("the third example: exec after ENQCMD (the seed's UNBALANCED_PUT)", () => {
  function expected(policy: Policy): Expected[] {
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
      const want = expected(policy);
      for (const [i, step] of steps.entries()) {
        expect(observed(step.state), `after step ${i + 1}`).toEqual(want[i]);
      }
    });
  }
  it('LAZY_REFCOUNT: the derived events of steps 4, 9 and 10, in the order the kernel applies them', () => {
    const derived = replaySteps('LAZY_REFCOUNT', execAfterEnqcmd).map((s) => s.derived);
    expect(derived[3]).toEqual([
      { type: 'RefcountChanged', pid: 400, pasid: 1, refcount: 1 },
      { type: 'MmReleased', pid: 400 },
      { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
      { type: 'DeviceUnbound', pid: 400, device: dsa0, pasid: 1, reason: 'exec', refcount: 0 },
      { type: 'PasidFreed', pid: 400, pasid: 1 },
    ]);
    expect(derived[8]).toEqual([
      { type: 'HazardDetected', code: 'UNBALANCED_PUT', tid: 400, pid: 400, pasid: 1 },
      { type: 'RefcountChanged', pid: 400, pasid: 1, refcount: 1 },
    ]);
    expect(derived[9]).toEqual([
      { type: 'RefcountChanged', pid: 400, pasid: 1, refcount: 0 },
      { type: 'HazardDetected', code: 'PASID_FREED_WHILE_BOUND', pid: 400, pasid: 1 },
      { type: 'PasidFreed', pid: 400, pasid: 1 },
      { type: 'MmReleased', pid: 400 },
      { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
      { type: 'DeviceUnbound', pid: 400, device: iax0, pasid: 1, reason: 'exit' },
      { type: 'HazardDetected', code: 'REFCOUNT_UNDERFLOW', pid: 400, pasid: 1 },
      { type: 'ProcessExited', pid: 400 },
    ]);
  });
  it('MM_EXIT: steps 9-10 free PASID 1 once, when the mm is dropped at step 10', () => {
    const derived = replaySteps('MM_EXIT', execAfterEnqcmd).map((s) => s.derived);
    expect(derived[8]).toEqual([]);
    expect(derived[9]).toEqual([
      { type: 'MmReleased', pid: 400 },
      { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
      { type: 'DeviceUnbound', pid: 400, device: iax0, pasid: 1, reason: 'exit' },
      { type: 'PasidFreed', pid: 400, pasid: 1 },
      { type: 'ProcessExited', pid: 400 },
    ]);
  });
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
