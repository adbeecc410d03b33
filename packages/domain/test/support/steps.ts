import { expect } from 'vitest';
import {
  checkInvariants,
  checkStepInvariants,
  type DerivedEvent,
  type InputEvent,
  type Policy,
  Replayer,
  type State,
  toStateDocument,
  unbalancedSince,
} from '../../src/index.js';

/**
 * Replays `inputs` one at a time, checking the invariants after each step while no
 * `UNBALANCED_PUT` has happened (the spec's condition), and returns each step's derived events and
 * a copy of the state after it.
 */
export function replaySteps(policy: Policy, inputs: readonly InputEvent[]) {
  const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
  return inputs.map((input, i) => {
    const before = replayer.fork();
    const decision = replayer.apply(input);
    if (!decision.ok) throw new Error(`step ${i + 1}: ${decision.rejection.message}`);
    if (unbalancedSince(replayer.state) === null) {
      expect(checkInvariants(replayer.state), `invariants after step ${i + 1}`).toEqual([]);
      expect(checkStepInvariants(before, replayer.state, decision.events)).toEqual([]);
    }
    return { derived: decision.events, state: replayer.fork() };
  });
}

/** [pasid, holder pid, refcount, devices with an entry, released] */
export type PasidRow = [number, number, number | null, string[], boolean];
/** [pid, fd, device, pasid, holder, cloexec] */
export type FileRow = [number, number, string, number, number, boolean];

/** The state document after a step, in rows short enough to write a table of them by hand. */
export interface Observed {
  pasids: PasidRow[];
  /** Live tasks: tid -> [MSR (null while invalid), activated]. */
  tasks: Record<number, [number | null, boolean]>;
  files: FileRow[];
  freed: number[];
  /** Hazard codes so far, with the reason where there is one ("SIGSEGV NO_PASID"). */
  hazards: string[];
}

export function observed(state: State): Observed {
  const doc = toStateDocument(state);
  return {
    pasids: doc.pasids.map((p) => [p.pasid, p.pid, p.refcount, p.devices, p.released]),
    tasks: Object.fromEntries(doc.tasks.map((t) => [t.tid, [t.msr, t.activated]])),
    files: doc.files.map((f) => [f.pid, f.fd, f.device, f.pasid, f.holder, f.cloexec]),
    freed: doc.freed,
    hazards: doc.hazards.map((h) => (h.reason ? `${h.code} ${h.reason}` : h.code)),
  };
}

/**
 * Under LAZY_REFCOUNT every change of a count rides on the event that caused it (the spec's
 * "Derived events"); the other policies have no count. `counted(policy)(event, n)` is `event`
 * with `refcount: n` under LAZY_REFCOUNT, and `event` as it is otherwise.
 */
export const counted =
  (policy: Policy) =>
  <E extends DerivedEvent>(event: E, refcount: number): E =>
    policy === 'LAZY_REFCOUNT' ? { ...event, refcount } : event;

/**
 * `RefcountChanged` (the package's own event, see the README) is how a count change with no other
 * event to carry it shows: only under LAZY_REFCOUNT. `countChange(policy)(pid, pasid, n)` is that
 * event in a list under LAZY_REFCOUNT, and an empty list otherwise.
 */
export const countChange =
  (policy: Policy) =>
  (pid: number, pasid: number, refcount: number): DerivedEvent[] =>
    policy === 'LAZY_REFCOUNT' ? [{ type: 'RefcountChanged', pid, pasid, refcount }] : [];

/** Each step's derived events compared one by one, so a failure names the step. */
export function expectDerived(steps: { derived: DerivedEvent[] }[], want: DerivedEvent[][]): void {
  expect(steps.length).toBe(want.length);
  steps.forEach((step, i) => {
    expect(step.derived, `derived events of step ${i + 1}`).toEqual(want[i]);
  });
}

/** Each step's observed state compared one by one, so a failure names the step. */
export function expectStates(steps: { state: State }[], want: Observed[]): void {
  expect(steps.length).toBe(want.length);
  steps.forEach((step, i) => {
    expect(observed(step.state), `after step ${i + 1}`).toEqual(want[i]);
  });
}
