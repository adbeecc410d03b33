import { describe, expect, it } from 'vitest';
import { duePosition, msUntilNext } from '@/lib/replay/playback';

describe('playback clock', () => {
  const clock = { from: 5, startedAt: 1000, rate: 10 };
  it('is due ten steps a second at 10 steps/s, however long each step took to draw', () => {
    expect(duePosition(clock, 1000, 100)).toBe(5);
    expect(duePosition(clock, 1099, 100)).toBe(5);
    expect(duePosition(clock, 1100, 100)).toBe(6);
    expect(duePosition(clock, 2000, 100)).toBe(15);
    expect(duePosition(clock, 11_000, 1000)).toBe(105);
  });
  it('stops at the last step', () => {
    expect(duePosition(clock, 60_000, 20)).toBe(20);
  });
  it('waits exactly until the next step is due', () => {
    expect(msUntilNext(clock, 5, 1000)).toBe(100);
    expect(msUntilNext(clock, 5, 1040)).toBe(60);
    expect(msUntilNext(clock, 14, 1950)).toBe(50);
    expect(msUntilNext(clock, 5, 1200)).toBe(0);
  });
});
