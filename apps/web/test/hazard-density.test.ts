import { describe, expect, it } from 'vitest';
import { hazardDensity } from '@/lib/replay/hazard-density';

describe('hazardDensity', () => {
  it('gives each step its own bucket on a short history (the worked example: events 8 and 12)', () => {
    expect(hazardDensity([8, 12], 14)).toEqual([
      { from: 8, to: 8, count: 1, height: 1 },
      { from: 12, to: 12, count: 1, height: 1 },
    ]);
  });
  it('keeps thousands of hazards apart as heights, every hazard counted once', () => {
    const events = Array.from({ length: 1689 }, (_, i) => Math.floor((i * i) / 300) % 10_001);
    const buckets = hazardDensity(events, 10_000);
    expect(buckets.length).toBeLessThanOrEqual(160);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(1689);
    expect(new Set(buckets.map((b) => b.height)).size).toBeGreaterThan(1);
    expect(Math.max(...buckets.map((b) => b.height))).toBe(1);
    // Buckets tile the steps without overlap.
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.from).toBeGreaterThan(buckets[i - 1]!.to);
  });
});
