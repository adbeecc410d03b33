import { describe, expect, it } from 'vitest';
import { findPositionBefore, type InputAt } from '@/lib/ledger/position-search';

/**
 * A synthetic global log: systems A and B interleaved in bursts, each input followed by a random
 * number of derived events; the search is asked about A only.
 */
function interleavedLog(
  inputs: number,
  seed: number,
  /** The log's head before A's first input (a log far along: past 2^53, say). */
  start = 0n,
): { positions: bigint[]; probe: (p: bigint) => Promise<InputAt | null>; probes: () => number } {
  let s = seed;
  const random = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const positions: bigint[] = [];
  let position = start;
  for (let v = 1; v <= inputs; v++) {
    if (random() < 0.1) position += BigInt(Math.floor(random() * 500)); // a burst of system B
    position += 1n;
    positions.push(position); // A's input v
    position += BigInt(Math.floor(random() * 6)); // its derived events
  }
  let count = 0;
  const probe = async (after: bigint) => {
    count++;
    // The first input of A after `after` (a binary search stands in for the API's index).
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (positions[mid]! <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo < positions.length ? { version: lo + 1, position: positions[lo]! } : null;
  };
  return { positions, probe, probes: () => count };
}

describe('findPositionBefore', () => {
  const log = interleavedLog(100_000, 7);
  const density = Number(log.positions.at(-1)!) / log.positions.length;

  it('finds a position whose next input is the version asked for, everywhere in the log', async () => {
    for (const version of [1, 2, 3, 50, 999, 1000, 1001, 31_337, 77_777, 99_999, 100_000]) {
      const p = await findPositionBefore(version, log.probe, new Map(), density);
      expect((await log.probe(p))?.version).toBe(version);
    }
  });

  it('needs few probes with no anchor, and none next to a known input', async () => {
    const before = log.probes();
    await findPositionBefore(64_001, log.probe, new Map(), density);
    expect(log.probes() - before).toBeLessThan(40);
    const known = new Map([[64_000, log.positions[63_999]!]]);
    const again = log.probes();
    expect(await findPositionBefore(64_001, log.probe, known, density)).toBe(log.positions[63_999]);
    expect(log.probes()).toBe(again);
  });

  it('still ends on a wildly wrong density (bisection takes over)', async () => {
    for (const wrong of [0.001, 1000]) {
      const p = await findPositionBefore(42_424, log.probe, new Map(), wrong);
      expect((await log.probe(p))?.version).toBe(42_424);
    }
  });

  it('finds versions in a log past 2^53, every position exact', async () => {
    const far = interleavedLog(10_000, 11, 2n ** 53n);
    expect(far.positions[0]).toBeGreaterThan(2n ** 53n);
    for (const version of [1, 2, 777, 5000, 10_000]) {
      const p = await findPositionBefore(version, far.probe, new Map(), 3);
      expect((await far.probe(p))?.version).toBe(version);
    }
    // Next to a known input the answer is that input's position, to the last digit.
    const known = new Map([[4999, far.positions[4998]!]]);
    expect(await findPositionBefore(5000, far.probe, known, 3)).toBe(far.positions[4998]);
  });
});
