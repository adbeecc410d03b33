import { describe, expect, it } from 'vitest';
import { toPasidSeries } from '@/lib/replay/series';
import { workedExampleStates } from './helpers';

const samplesOf = (policy: Parameters<typeof workedExampleStates>[0], versions?: number[]) => {
  const states = workedExampleStates(policy);
  return (versions ?? states.map((_, v) => v)).map((v) => ({ version: v, pasids: states[v]!.pasids }));
};

describe('toPasidSeries on the worked example', () => {
  it("draws PASID 1's count at every step, down to 0 at step 14 where tid 100's exit frees it", () => {
    const series = toPasidSeries(samplesOf('LAZY_REFCOUNT'));
    expect(series.versions).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(series.hasRefcounts).toBe(true);
    expect(series.lines.map((l) => l.pasid)).toEqual([1, 2]);
    const [pasid1, pasid2] = series.lines;
    // Bind, thread, two fix-ups, the second bind; two unbinds and tid 101's exit; then tid 100's exit.
    expect(pasid1!.counts).toEqual([null, null, 1, 1, 2, 3, 4, 4, 4, 3, 2, 1, 1, 1, 0]);
    expect(pasid1!.peak).toBe(4);
    expect(pasid2!.counts).toEqual([...Array(13).fill(null), 1, 1]);
    expect(series.allocated.map((p) => p.allocated)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1]);
  });

  it('keeps the drop to 0 when the freeing step falls between two samples', () => {
    const series = toPasidSeries(samplesOf('LAZY_REFCOUNT', [0, 6, 12, 14]));
    expect(series.lines.map((l) => [l.pasid, l.counts])).toEqual([
      [1, [null, 4, 1, 0]],
      [2, [null, null, null, 1]],
    ]);
  });

  it('sorts values as numbers (2 before 12) and draws no count line under a policy without counts', () => {
    const samples = [
      { version: 0, pasids: [] },
      {
        version: 1,
        pasids: [12, 2, 1].map((pasid) => ({ pasid, pid: pasid, refcount: 1 })),
      },
    ];
    expect(toPasidSeries(samples).lines.map((l) => l.pasid)).toEqual([1, 2, 12]);
    const mmExit = toPasidSeries(samplesOf('MM_EXIT'));
    expect(mmExit.hasRefcounts).toBe(false);
    expect(mmExit.lines).toEqual([]);
    expect(mmExit.allocated.at(-1)?.allocated).toBe(1);
  });
});
