import { describe, expect, it } from 'vitest';
import { axisTicks, clampRange, parseLaneFilter, zoomRange } from '@/lib/replay/lanes';

describe('lane filter from the URL', () => {
  it('reads the fd filter from the URL', () => {
    expect(parseLaneFilter({ fd: '3', pid: '301' })).toMatchObject({ fd: 3, pid: 301 });
    expect(parseLaneFilter({ fd: 'x' }).fd).toBeUndefined();
  });
});

describe('view range', () => {
  it('zooms around a step and stays inside the history', () => {
    expect(zoomRange([0, 15], 0.5, 7.5, 14)).toEqual([4, 12]);
    expect(zoomRange([4, 12], 4, 8, 14)).toEqual([0, 15]);
    expect(clampRange(-5, 3, 14)).toEqual([0, 8]);
    expect(clampRange(100, 200, 14)).toEqual([0, 15]);
  });
  it('puts ticks on round steps', () => {
    expect(axisTicks(0, 15)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(axisTicks(0, 10_001)).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
  });
});
