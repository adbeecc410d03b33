import { describe, expect, it } from 'vitest';
import type { Policy } from '@/lib/ledger/types';
import { firstDivergence, stateDifferences } from '@/lib/replay/compare';
import { workedExampleStates } from './helpers';

const pairs = (left: Policy, right: Policy) => {
  const l = workedExampleStates(left);
  const r = workedExampleStates(right);
  return l.map((state, i) => ({ left: state, right: r[i]! }));
};

describe('firstDivergence on the worked example', () => {
  it('LAZY_REFCOUNT and EAGER_UNBIND part at event 11, when EAGER_UNBIND frees PASID 1', () => {
    const d = firstDivergence(pairs('LAZY_REFCOUNT', 'EAGER_UNBIND'));
    expect(d?.version).toBe(11);
    expect(d?.differences.join('\n')).toMatch(
      /PASID 1 \(process 100\) is allocated only under LAZY_REFCOUNT/,
    );
  });

  it('at event 13 EAGER_UNBIND has handed PASID 1 to process 200', () => {
    const all = pairs('MM_EXIT', 'EAGER_UNBIND');
    const at13 = stateDifferences(all[13]!.left, all[13]!.right);
    expect(at13).toContain('PASID 1 is held by process 100 under MM_EXIT, by 200 under EAGER_UNBIND');
  });

  it('LAZY_REFCOUNT and MM_EXIT agree on every step (counts left aside)', () => {
    expect(firstDivergence(pairs('LAZY_REFCOUNT', 'MM_EXIT'))).toBeNull();
  });
});
