import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkInputEvent,
  checkInvariants,
  checkStepInvariants,
  evolve,
  HistoryLineReader,
  INPUT_EVENT_TYPES,
  type InputEvent,
  inputEventSchemas,
  POLICIES,
  type Policy,
  Replayer,
  record,
  type State,
  toStateDocument,
  unbalancedSince,
  writeHistory,
} from '../src/index.js';

const DEVICES = ['0000:6a:01.0', '0000:6a:02.0', '0000:e7:01.0'];

/** One step of a random history: which input to build and the numbers that choose its fields. */
const choiceArb = fc.record({ kind: fc.nat(21), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });
type Choice = { kind: number; a: number; b: number; c: number };

const at = <T>(items: readonly T[], n: number): T | undefined =>
  items.length === 0 ? undefined : items[n % items.length];

/**
 * Builds an input from the state: mostly one the rules accept (ids picked among the live ones),
 * sometimes one chosen blindly from a small id range, which the rules may reject. Files, forks
 * that inherit them, exec after ENQCMD and logged faults all come up.
 */
function inputFor(state: State, { kind, a, b, c }: Choice, fresh: () => number): InputEvent {
  const pids = [...state.processes.keys()];
  const tids = [...state.tasks.keys()];
  const device = DEVICES[c % DEVICES.length]!;
  const pid = at(pids, a);
  const tid = at(tids, a);
  const process = pid === undefined ? undefined : state.processes.get(pid);
  switch (kind) {
    case 0:
    case 1: {
      const parent = b % 3 !== 0 ? at(pids, b) : undefined;
      return parent === undefined
        ? { type: 'ProcessCreated', pid: fresh() }
        : { type: 'ProcessCreated', pid: fresh(), parent };
    }
    case 2:
      return pid === undefined
        ? { type: 'ProcessCreated', pid: fresh() }
        : { type: 'ThreadCreated', tid: fresh(), pid };
    case 3:
      if (pid === undefined) break;
      // Now and then a given PASID (taken, mismatched, out of range or free).
      return b % 5 === 0
        ? { type: 'DeviceBound', pid, device, pasid: 1 + (b % 9) }
        : { type: 'DeviceBound', pid, device };
    case 4:
    case 5: {
      if (!process) break;
      // A file: the lowest free fd from 3, sometimes one in use (rejected), some close-on-exec.
      let fd = 3;
      while (process.fds.has(fd) && b % 7 !== 0) fd += 1;
      return b % 2 === 0
        ? { type: 'DeviceBound', pid: process.pid, device, fd, cloexec: b % 4 === 0 }
        : { type: 'DeviceBound', pid: process.pid, device, fd };
    }
    case 6: {
      const bond = process ? at(process.bonds, b) : undefined;
      if (!process || !bond) break;
      return { type: 'DeviceUnbound', pid: process.pid, device: bond.device };
    }
    case 7:
    case 8: {
      const fd = process ? at([...process.fds.keys()], b) : undefined;
      if (!process || fd === undefined) break;
      return { type: 'FileClosed', pid: process.pid, fd };
    }
    case 9:
    case 10:
    case 11:
    case 12: {
      if (tid === undefined) break;
      if (b % 9 === 0) return { type: 'Enqcmd', tid };
      const owner = state.processes.get(state.tasks.get(tid)!.pid);
      const own = owner ? [...(state.mms.get(owner.mm)?.bonds.keys() ?? [])] : [];
      return { type: 'Enqcmd', tid, device: b % 4 === 0 ? device : (at(own, b) ?? device) };
    }
    case 13:
    case 14:
      if (tid === undefined) break;
      return { type: 'TaskExited', tid };
    case 15:
    case 16: {
      const single = pids.filter((p) => state.processes.get(p)!.tasks.size === 1 || b % 3 === 0);
      const p = at(single, b);
      if (p === undefined) break;
      return { type: 'ProcessExec', pid: p };
    }
    case 17: {
      const pasid = b % 3 === 0 ? b % 8 : (at([...state.pasids.keys()], b) ?? 1);
      return { type: 'DmarFaultLogged', device, pasid, ...(b % 2 === 0 ? { reason: '0x59' } : {}) };
    }
    default:
      break;
  }
  // Blind: any type, ids from 1..12, which the rules may well reject.
  const id = 1 + (a % 12);
  const blind: InputEvent[] = [
    { type: 'ProcessCreated', pid: id, parent: 1 + (b % 12) },
    { type: 'ThreadCreated', tid: id, pid: 1 + (b % 12) },
    { type: 'DeviceBound', pid: id, device, pasid: 1 + (b % 4) },
    { type: 'DeviceBound', pid: id, device, cloexec: true },
    { type: 'DeviceUnbound', pid: id, device },
    { type: 'FileClosed', pid: id, fd: b % 6 },
    { type: 'Enqcmd', tid: id, device },
    { type: 'TaskExited', tid: id },
    { type: 'ProcessExec', pid: id },
  ];
  return blind[b % blind.length]!;
}

interface Run {
  accepted: InputEvent[];
  rejected: number;
  /** Whether an UNBALANCED_PUT happened (the invariants were checked up to it). */
  unbalanced: boolean;
  final: State;
}

/** Replays `choices`, checking every property that holds step by step. */
function runChecked(policy: Policy, maxPasid: number, choices: Choice[]): Run {
  let next = 1000;
  const fresh = () => next++;
  const replayer = new Replayer({ policy, maxPasid });
  // `replay` (no Decision, the CLI's fold) beside `apply`: the same rejections, the same state.
  const folded = new Replayer({ policy, maxPasid });
  let pure: State = new Replayer({ policy, maxPasid }).fork();
  const accepted: InputEvent[] = [];
  let rejected = 0;
  let unbalanced = false;
  for (const choice of choices) {
    const input = inputFor(replayer.state, choice, fresh);
    const before = replayer.fork();
    const decision = replayer.apply(input);
    const recorded = record(pure, input);
    expect(recorded.ok).toBe(decision.ok);
    expect(folded.replay(input)).toEqual(decision.ok ? undefined : decision.rejection);
    if (!decision.ok || !recorded.ok) {
      rejected += 1;
      expect(replayer.state).toEqual(before);
      continue;
    }
    accepted.push(input);
    expect(recorded.derived).toEqual(decision.events);
    // The pure path, one event at a time with evolve, lands on the same state as the transient.
    let evolved: State = evolve(pure, input);
    for (const event of decision.events) evolved = evolve(evolved, event);
    expect(evolved).toEqual(replayer.state);
    expect(recorded.state).toEqual(replayer.state);
    pure = recorded.state;
    // The invariants hold until the seed's UNBALANCED_PUT breaks its own design.
    if (unbalancedSince(replayer.state) !== null) {
      unbalanced = true;
      continue;
    }
    const violations = [
      ...checkInvariants(replayer.state),
      ...checkStepInvariants(before, replayer.state, decision.events),
    ];
    expect(violations, `after ${input.type} ${JSON.stringify(input)}`).toEqual([]);
  }
  expect(folded.state).toEqual(replayer.state);
  return { accepted, rejected, unbalanced, final: replayer.state };
}

const settings = { numRuns: 100 };
const historyArb = fc.record({
  maxPasid: fc.oneof(fc.integer({ min: 2, max: 6 }), fc.constant(1 << 20)),
  choices: fc.array(choiceArb, { minLength: 1, maxLength: 150, size: 'max' }),
});

// Generous timeouts: the machine is shared, and these run thousands of checked steps.
describe('random histories', { timeout: 60_000 }, () => {
  it.each(POLICIES)(
    '%s: invariants hold after every step until an UNBALANCED_PUT; Replayer (apply, replay) = record = evolve',
    (policy) => {
      let accepted = 0;
      let rejected = 0;
      const types = new Set<string>();
      let inherited = 0;
      fc.assert(
        fc.property(historyArb, ({ maxPasid, choices }) => {
          const run = runChecked(policy, maxPasid, choices);
          accepted += run.accepted.length;
          rejected += run.rejected;
          for (const input of run.accepted) types.add(input.type);
          for (const process of run.final.processes.values()) {
            for (const slot of process.fds.values()) {
              if (run.final.files.get(slot.file)?.holder !== process.pid) inherited += 1;
            }
          }
        }),
        settings,
      );
      // The generator must exercise both sides, every input, and inherited files.
      expect(accepted).toBeGreaterThan(1000);
      expect(rejected).toBeGreaterThan(50);
      expect(types.size).toBe(INPUT_EVENT_TYPES.length);
      expect(inherited).toBeGreaterThan(0);
    },
  );

  it.each(POLICIES)('%s: replaying the same history twice gives equal documents', (policy) => {
    fc.assert(
      fc.property(historyArb, ({ maxPasid, choices }) => {
        const { accepted, final } = runChecked(policy, maxPasid, choices);
        const again = new Replayer({ policy, maxPasid });
        for (const input of accepted) expect(again.apply(input).ok).toBe(true);
        expect(toStateDocument(again.state)).toEqual(toStateDocument(final));
      }),
      { numRuns: 40 },
    );
  });

  it.each(POLICIES)('%s: export -> parse (chunks cut anywhere) -> replay round-trips', (policy) => {
    fc.assert(
      fc.property(historyArb, fc.array(fc.nat(), { maxLength: 8 }), ({ maxPasid, choices }, cutSeeds) => {
        const { accepted, final } = runChecked(policy, maxPasid, choices);
        const bytes = new TextEncoder().encode(
          [...writeHistory({ system: 'prop', policy, maxPasid }, accepted)].join(''),
        );
        const cuts = [...new Set(cutSeeds.map((n) => n % (bytes.length + 1)))].sort((x, y) => x - y);
        const reader = new HistoryLineReader();
        const lines = [];
        let from = 0;
        for (const cut of [...cuts, bytes.length]) {
          lines.push(...reader.push(bytes.subarray(from, cut)));
          from = cut;
        }
        lines.push(...reader.end());
        expect(lines[0]).toEqual({ line: 1, header: { system: 'prop', policy, maxPasid } });
        const events = lines.slice(1).map((l) => ('event' in l ? l.event : undefined));
        expect(events).toEqual(accepted);
        const replayed = new Replayer({ policy, maxPasid });
        for (const input of accepted) replayed.apply(input);
        expect(toStateDocument(replayed.state)).toEqual(toStateDocument(final));
      }),
      { numRuns: 40 },
    );
  });

  it('WRONG_ADDRESS_SPACE and PASID_EXHAUSTED do occur in random histories', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(historyArb, ({ maxPasid, choices }) => {
        for (const h of runChecked('EAGER_UNBIND', maxPasid, choices).final.hazards) seen.add(h.code);
      }),
      { numRuns: 80, seed: 1 },
    );
    expect([...seen].sort()).toEqual(['DMAR_FAULT', 'PASID_EXHAUSTED', 'SIGSEGV', 'WRONG_ADDRESS_SPACE']);
  });

  it("LAZY_REFCOUNT: exec after ENQCMD brings the seed's UNBALANCED_PUT and what follows", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(historyArb, ({ maxPasid, choices }) => {
        for (const h of runChecked('LAZY_REFCOUNT', maxPasid, choices).final.hazards) seen.add(h.code);
      }),
      { numRuns: 80, seed: 42 },
    );
    expect(seen).toContain('UNBALANCED_PUT');
    expect(seen).toContain('PASID_FREED_WHILE_BOUND');
  });
});

describe('checkInputEvent agrees with the zod schemas', () => {
  const fieldValue = fc.oneof(
    fc.integer({ min: -3, max: 5 }),
    fc.constant(2 ** 53),
    // The bounds of a logged fault's pasid (0 .. 2^20 - 1) and reason (1 .. 64 characters).
    fc.constantFrom(2 ** 20 - 1, 2 ** 20, 'x'.repeat(64), 'x'.repeat(65)),
    fc.double({ min: 0.5, max: 3, noNaN: true }),
    fc.constantFrom('0000:6a:01.0', '0000:6A:01.0', '0000:6a:21.0', '', '7', 'x', '0x59'),
    fc.constant(0),
    fc.constant(null),
    fc.boolean(),
  );
  const fields = ['pid', 'tid', 'device', 'parent', 'pasid', 'fd', 'cloexec', 'reason', 'extra'] as const;
  const valueArb = fc.record(
    {
      type: fc.constantFrom(...(Object.keys(inputEventSchemas) as (keyof typeof inputEventSchemas)[])),
      ...Object.fromEntries(fields.map((f) => [f, fieldValue])),
    },
    { requiredKeys: ['type'] },
  );
  it('accepts exactly what zod accepts, with the same result', () => {
    fc.assert(
      fc.property(valueArb, (value) => {
        const zod = inputEventSchemas[value.type].safeParse(value);
        const ours = checkInputEvent(value);
        expect(ours.ok).toBe(zod.success);
        if (ours.ok && zod.success) expect(ours.event).toEqual(zod.data);
      }),
      { numRuns: 3000 },
    );
  });
});
