import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PASID,
  describeDifference,
  documentDifferences,
  firstDivergence,
  forWhatIf,
  generateHistory,
  type InputEvent,
  type Policy,
  Replayer,
  toStateDocument,
} from '../src/index.js';
import { dsa0, workedExample } from './support/specification.js';

const options = { maxPasid: DEFAULT_MAX_PASID, recordedPolicy: 'LAZY_REFCOUNT' as const };

describe('firstDivergence', () => {
  it("finds the worked example's input 11 under LAZY_REFCOUNT vs EAGER_UNBIND, and says what differs", () => {
    const found = firstDivergence(workedExample, ['LAZY_REFCOUNT', 'EAGER_UNBIND'], options);
    expect(found?.version).toBe(11);
    expect(found?.input).toEqual(workedExample[10]);
    // EAGER_UNBIND frees PASID 1 at the mm's last unbind; LAZY_REFCOUNT keeps it for task 100's MSR.
    expect(found?.differences).toContainEqual({
      field: 'pasids',
      key: 'pasid=1',
      left: { pasid: 1, pid: 100, devices: [], released: false },
      right: null,
    });
    expect(found?.differences).toContainEqual({ field: 'freed', key: null, left: null, right: 1 });
    const sentence = describeDifference(found!.differences[0]!, found!.policies);
    expect(sentence).toContain('under LAZY_REFCOUNT');
    expect(sentence).toContain('nothing under EAGER_UNBIND');
  });

  it('finds none when the two policies agree over the whole history', () => {
    expect(
      firstDivergence(workedExample.slice(0, 10), ['LAZY_REFCOUNT', 'EAGER_UNBIND'], options),
    ).toBeNull();
    expect(firstDivergence(workedExample, ['MM_EXIT', 'MM_EXIT'], options)).toBeNull();
  });

  it('finds a divergence after 100,000 events, in one pass, without a cap', () => {
    // 50,000 processes created and exited agree under every policy; then the eager free.
    function* history(): Generator<InputEvent> {
      for (let pid = 1; pid <= 50_000; pid += 1) {
        yield { type: 'ProcessCreated', pid };
        yield { type: 'TaskExited', tid: pid };
      }
      yield { type: 'ProcessCreated', pid: 100 };
      yield { type: 'DeviceBound', pid: 100, device: dsa0 };
      yield { type: 'Enqcmd', tid: 100, device: dsa0 };
      yield { type: 'DeviceUnbound', pid: 100, device: dsa0 };
    }
    const found = firstDivergence(history(), ['LAZY_REFCOUNT', 'EAGER_UNBIND'], options);
    expect(found?.version).toBe(100_004);
    expect(found?.input).toEqual({ type: 'DeviceUnbound', pid: 100, device: dsa0 });
  });
  it('finds a divergence after 20,000 live processes (the search follows each step, not whole states)', () => {
    // Every process stays alive, so each state is larger than the last: comparing whole states at
    // every step made this search quadratic.
    function* history(): Generator<InputEvent> {
      for (let pid = 1; pid <= 20_000; pid += 1) yield { type: 'ProcessCreated', pid };
      yield { type: 'DeviceBound', pid: 7, device: dsa0 };
      yield { type: 'Enqcmd', tid: 7, device: dsa0 };
      yield { type: 'DeviceUnbound', pid: 7, device: dsa0 };
    }
    const found = firstDivergence(history(), ['MM_EXIT', 'EAGER_UNBIND'], options);
    expect(found?.version).toBe(20_003);
    expect(found?.differences).toContainEqual({ field: 'freed', key: null, left: null, right: 1 });
  });

  it('agrees with comparing whole states at every step, on random histories under every pair of policies', () => {
    const pairs: [Policy, Policy][] = [
      ['LAZY_REFCOUNT', 'MM_EXIT'],
      ['LAZY_REFCOUNT', 'EAGER_UNBIND'],
      ['MM_EXIT', 'EAGER_UNBIND'],
      ['EAGER_UNBIND', 'LAZY_REFCOUNT'],
    ];
    let diverged = 0;
    for (let seed = 1; seed <= 12; seed += 1) {
      for (const pair of pairs) {
        const config = { maxPasid: seed % 3 === 0 ? 4 : DEFAULT_MAX_PASID, recordedPolicy: pair[0] };
        const inputs: InputEvent[] = [];
        const source = generateHistory({ policy: pair[0], maxPasid: config.maxPasid, seed });
        for (let i = 0; i < 300; i += 1) inputs.push(source.next().value);
        // The reference: both states whole, after every input.
        const replayers = pair.map((policy) => new Replayer({ policy, maxPasid: config.maxPasid }));
        let expected: { version: number; differences: unknown } | null = null;
        for (const [i, input] of inputs.entries()) {
          for (const [side, r] of replayers.entries()) r.apply(side === 0 ? input : forWhatIf(input));
          const [left, right] = replayers.map((r) => toStateDocument(r.state));
          const differences = documentDifferences(left!, right!);
          if (differences.length > 0) {
            expected = { version: i + 1, differences };
            break;
          }
        }
        const found = firstDivergence(inputs, pair, config);
        expect(
          found && { version: found.version, differences: found.differences },
          `seed ${seed}, ${pair}`,
        ).toEqual(expected);
        if (expected) diverged += 1;
      }
    }
    // The histories do diverge (else the comparison above would prove little).
    expect(diverged).toBeGreaterThan(24);
  });
});

describe('documentDifferences', () => {
  it('leaves out the policy and reference counts, and pairs list items by their first field', () => {
    const base = { events: 1, pasids: [], tasks: [], files: [], freed: [], hazards: [] };
    expect(
      documentDifferences(
        {
          ...base,
          policy: 'LAZY_REFCOUNT',
          pasids: [{ pasid: 1, pid: 7, refcount: 2, devices: [], released: false }],
        },
        {
          ...base,
          policy: 'MM_EXIT',
          pasids: [{ pasid: 1, pid: 7, refcount: null, devices: [], released: false }],
        },
      ),
    ).toEqual([]);
    expect(
      documentDifferences(
        { ...base, policy: 'MM_EXIT', tasks: [{ tid: 3, pid: 3, msr: 1, activated: true }] },
        { ...base, policy: 'EAGER_UNBIND', tasks: [{ tid: 3, pid: 3, msr: null, activated: true }] },
      ),
    ).toEqual([
      {
        field: 'tasks',
        key: 'tid=3',
        left: { tid: 3, pid: 3, msr: 1, activated: true },
        right: { tid: 3, pid: 3, msr: null, activated: true },
      },
    ]);
  });
});
