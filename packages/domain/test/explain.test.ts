import { describe, expect, it } from 'vitest';
import {
  type ComparedState,
  DEFAULT_MAX_PASID,
  explainDifference,
  explainDivergence,
  firstDivergence,
  forWhatIf,
  type InputEvent,
  type Policy,
  Replayer,
  type StateDocument,
  toStateDocument,
} from '../src/index.js';
import { dsa0, execAfterEnqcmd, workedExample } from './support/specification.js';

/** The state documents of `inputs` under `policy`, after each step (index 0: after input 1). */
function documents(inputs: readonly InputEvent[], policy: Policy, recorded: Policy): StateDocument[] {
  const replayer = new Replayer({ policy, maxPasid: DEFAULT_MAX_PASID });
  return inputs.map((input) => {
    const decision = replayer.apply(policy === recorded ? input : forWhatIf(input));
    if (!decision.ok) throw new Error(decision.rejection.message);
    return toStateDocument(replayer.state);
  });
}

const lazy = documents(workedExample, 'LAZY_REFCOUNT', 'LAZY_REFCOUNT');
const eager = documents(workedExample, 'EAGER_UNBIND', 'LAZY_REFCOUNT');
const mmExit = documents(workedExample, 'MM_EXIT', 'LAZY_REFCOUNT');
/** The documents after input `step` (1-based, as the spec numbers them). */
const at = (docs: StateDocument[], step: number) => docs[step - 1]!;

describe('explainDivergence on the worked example, LAZY_REFCOUNT against EAGER_UNBIND', () => {
  it('at input 11: EAGER_UNBIND frees PASID 1 while tid 100 still has it in its MSR', () => {
    expect(explainDivergence(at(lazy, 11), at(eager, 11), workedExample[10]!)).toBe(
      'After pid 100 unbinds 0000:6a:02.0, EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1 ' +
        '(LAZY_REFCOUNT keeps it for pid 100); the next bind gets PASID 1: if it is another ' +
        "process's, tid 100's next ENQCMD runs in that process's memory.",
    );
  });

  it('is what the divergence finder says at the first input where the states differ', () => {
    const found = firstDivergence(workedExample, ['LAZY_REFCOUNT', 'EAGER_UNBIND'], {
      maxPasid: DEFAULT_MAX_PASID,
      recordedPolicy: 'LAZY_REFCOUNT',
    });
    expect(found?.version).toBe(11);
    expect(found?.explanation).toBe(explainDivergence(at(lazy, 11), at(eager, 11), workedExample[10]!));
  });

  it('at input 13: PASID 1 now belongs to pid 200, and where tid 100 next submits', () => {
    expect(explainDifference(at(lazy, 13), at(eager, 13))).toBe(
      'tid 100 still has MSR 1; PASID 1 now belongs to pid 200 under EAGER_UNBIND (LAZY_REFCOUNT keeps ' +
        "it for pid 100 and gives pid 200 PASID 2); tid 100's next ENQCMD on 0000:6a:01.0 runs in pid " +
        "200's memory.",
    );
  });

  it('names the policies the other way round when the sides are swapped', () => {
    expect(explainDifference(at(eager, 13), at(lazy, 13))).toBe(
      'tid 100 still has MSR 1; PASID 1 now belongs to pid 200 under EAGER_UNBIND (LAZY_REFCOUNT keeps ' +
        "it for pid 100 and gives pid 200 PASID 2); tid 100's next ENQCMD on 0000:6a:01.0 runs in pid " +
        "200's memory.",
    );
    expect(explainDifference(at(mmExit, 11), at(eager, 11))).toContain('(MM_EXIT keeps it for pid 100)');
  });

  it('at input 14, with no MSR left holding PASID 1: who holds each value', () => {
    expect(explainDifference(at(lazy, 14), at(eager, 14))).toBe(
      'PASID 1 is freed under LAZY_REFCOUNT and belongs to pid 200 under EAGER_UNBIND; PASID 2 belongs ' +
        'to pid 200 under LAZY_REFCOUNT and is not allocated under EAGER_UNBIND.',
    );
  });

  it('is null where the states agree: before input 11, and LAZY_REFCOUNT against MM_EXIT throughout', () => {
    for (let step = 1; step <= 10; step++)
      expect(explainDifference(at(lazy, step), at(eager, step))).toBeNull();
    // The counts differ (LAZY_REFCOUNT's alone), and counts are left out.
    for (let step = 1; step <= 14; step++)
      expect(explainDifference(at(lazy, step), at(mmExit, step))).toBeNull();
  });
});

describe('explainDivergence on other histories', () => {
  it("says what the kernel did for a hazard only one policy has (the seed's UNBALANCED_PUT)", () => {
    const found = firstDivergence(execAfterEnqcmd, ['LAZY_REFCOUNT', 'MM_EXIT'], {
      maxPasid: DEFAULT_MAX_PASID,
      recordedPolicy: 'LAZY_REFCOUNT',
    });
    expect(found?.version).toBe(9);
    expect(found?.explanation).toBe(
      "After tid 400 exits, only LAZY_REFCOUNT has UNBALANCED_PUT at input 9 (tid 400, PASID 1, pid 400): the seed's " +
        "pasid_put() at exit or exec dropped a reference on the new mm's PASID that the task, activated before an exec, never took.",
    );
  });

  it('groups the tasks that carry one stale value, and counts what the sentence leaves out', () => {
    const base: Omit<ComparedState, 'policy'> = { pasids: [], tasks: [], files: [], freed: [], hazards: [] };
    const left: ComparedState = {
      ...base,
      policy: 'MM_EXIT',
      pasids: [{ pasid: 1, pid: 5, devices: [dsa0], released: false }],
      tasks: [
        { tid: 5, pid: 5, msr: 1, activated: true },
        { tid: 6, pid: 5, msr: 1, activated: true },
      ],
    };
    const right: ComparedState = {
      ...base,
      policy: 'EAGER_UNBIND',
      pasids: [
        { pasid: 1, pid: 9, devices: [dsa0], released: false },
        { pasid: 3, pid: 10, devices: [], released: false },
        { pasid: 4, pid: 11, devices: [], released: false },
        { pasid: 5, pid: 12, devices: [], released: false },
      ],
      tasks: left.tasks,
      freed: [1],
    };
    expect(explainDifference(left, right)).toBe(
      'tids 5 and 6 still have MSR 1; PASID 1 now belongs to pid 9 under EAGER_UNBIND (MM_EXIT keeps it ' +
        "for pid 5); their next ENQCMDs on 0000:6a:01.0 run in pid 9's memory; PASID 3 is not allocated " +
        'under MM_EXIT and belongs to pid 10 under EAGER_UNBIND; PASID 4 is not allocated under MM_EXIT and ' +
        'belongs to pid 11 under EAGER_UNBIND; and 1 more difference.',
    );
    const fifth = {
      ...right,
      pasids: [...right.pasids, { pasid: 6, pid: 13, devices: [], released: false }],
    };
    expect(explainDifference(left, fifth)).toMatch(/; and 2 more differences\.$/);
  });
});
