import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PASID,
  describeDifference,
  documentDifferences,
  firstDivergence,
  type InputEvent,
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
