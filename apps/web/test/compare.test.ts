import { explainDifference } from '@pasid/domain';
import { describe, expect, it } from 'vitest';
import { compareStates } from '@/lib/replay/compare';
import { toStateView } from '@/lib/replay/state-view';
import { workedExampleStates } from './helpers';

const lazy = workedExampleStates('LAZY_REFCOUNT');
const eager = workedExampleStates('EAGER_UNBIND');
const mmExit = workedExampleStates('MM_EXIT');

describe('compareStates on the worked example: each side marked against the other', () => {
  it('at 11: PASID 1 only under LAZY_REFCOUNT, freed only under EAGER_UNBIND, and the sentence', () => {
    const { left, right, explanation } = compareStates(lazy[11]!, eager[11]!);
    expect(left.against).toBe('EAGER_UNBIND');
    expect(right.against).toBe('LAZY_REFCOUNT');
    expect(left.pasids.map((r) => [r.pasid, r.pid, r.change])).toEqual([[1, 100, 'added']]);
    // The other side's rows are drawn on its own side only: no struck "gone" row here.
    expect(right.pasids).toEqual([]);
    expect(right.freed.map((f) => [f.pasid, f.isNew])).toEqual([[1, true]]);
    expect(left.freed).toEqual([]);
    // tid 100's MSR holds 1 on both sides: not marked (it is stale only on the right).
    const task = (view: typeof left, tid: number) =>
      view.processes.flatMap((p) => p.tasks).find((t) => t.tid === tid);
    expect(task(left, 100)?.change).toBeNull();
    expect(task(right, 100)).toMatchObject({ change: null, stale: true, msr: 1 });
    expect(explanation).toBe(explainDifference(lazy[11]!, eager[11]!));
    expect(explanation).toContain('EAGER_UNBIND has freed PASID 1 while tid 100 still has MSR 1');
  });

  it('at 13: PASID 1 held by another pid on each side, PASID 2 and its entry only under LAZY_REFCOUNT', () => {
    const { left, right, explanation } = compareStates(lazy[13]!, eager[13]!);
    const pasid = (view: typeof left, value: number) => view.pasids.find((r) => r.pasid === value);
    expect(pasid(left, 1)).toMatchObject({ pid: 100, change: 'changed' });
    expect([...pasid(left, 1)!.changed]).toEqual(['pid', 'devices']);
    expect(pasid(left, 2)).toMatchObject({ pid: 200, change: 'added' });
    expect(pasid(right, 1)).toMatchObject({ pid: 200, change: 'changed' });
    expect(left.entries.map((e) => [e.device, e.pasid, e.change])).toEqual([['0000:6a:01.0', 2, 'added']]);
    expect(right.entries.map((e) => [e.device, e.pasid, e.change])).toEqual([['0000:6a:01.0', 1, 'added']]);
    expect(explanation).toContain('PASID 1 now belongs to pid 200 under EAGER_UNBIND');
    expect(explanation).toContain("tid 100's next ENQCMD on 0000:6a:01.0 runs in pid 200's memory");
  });

  it('marks nothing where the policies agree, though the step itself changed things', () => {
    // Step 13 allocates PASID 2 (against the step before it is new), and the counts differ.
    expect(toStateView(lazy[13]!, lazy[12]!).pasids.find((r) => r.pasid === 2)?.change).toBe('added');
    const { left, right, explanation } = compareStates(lazy[13]!, mmExit[13]!);
    expect(left.anyChange).toBe(false);
    expect(right.anyChange).toBe(false);
    expect(left.pasids.every((r) => r.change === null && r.changed.size === 0)).toBe(true);
    expect(explanation).toBeNull();
  });

  it('marks a hazard only one policy has', () => {
    // The worked example's hazards are the same under both (SIGSEGV at 8, DMAR_FAULT at 12).
    const { left, right } = compareStates(lazy[14]!, eager[14]!);
    expect(left.hazards.map((h) => [h.code, h.isNew])).toEqual([
      ['SIGSEGV', false],
      ['DMAR_FAULT', false],
    ]);
    const extra = {
      ...eager[14]!,
      hazards: [...eager[14]!.hazards, { ...eager[14]!.hazards[1]!, event: 14 }],
    };
    const marked = compareStates(lazy[14]!, extra);
    expect(marked.right.hazards.map((h) => h.isNew)).toEqual([false, false, true]);
    expect(marked.left.hazards.map((h) => h.isNew)).toEqual([false, false]);
    expect(right.hazards).toHaveLength(2);
  });
});
