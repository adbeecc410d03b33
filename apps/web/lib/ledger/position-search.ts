/**
 * Where a version starts in the global log. The API pages a system's events by position only, and
 * positions are global (systems interleave), so the replay's timeline finds the place of a version
 * by searching positions. g(p), the version of the first input event after position p, never
 * decreases as p grows; positions grow nearly linearly with versions, so a probe at the estimated
 * place usually lands within a few events (interpolation), and bisection takes over if not.
 * Positions are bigints here (a log can pass 2^53, where numbers stop being exact); only the
 * estimate's slope is a float, and it only picks where to probe.
 */

export interface InputAt {
  version: number;
  position: bigint;
}

/** The first input event after a position, or null past the end. */
export type ProbeAfter = (position: bigint) => Promise<InputAt | null>;

const INTERPOLATION_PROBES = 8;

/**
 * A position `p` such that the first input event after `p` is `version` (0 for version 1).
 * `known` maps versions to the positions of their input events (anchors seen before); `density`
 * is the expected number of positions per version (stored events per input event).
 */
export async function findPositionBefore(
  version: number,
  probeAfter: ProbeAfter,
  known: ReadonlyMap<number, bigint>,
  density: number,
): Promise<bigint> {
  if (version <= 1) return 0n;
  const exact = known.get(version - 1);
  if (exact !== undefined) return exact;
  const at = known.get(version);
  if (at !== undefined) return at - 1n;
  // Invariant: g(lo) < version <= g(hi), with anchors of real inputs to interpolate between.
  let lo = 0n;
  // The largest int8: the log's own limit.
  let hi = 9_223_372_036_854_775_807n;
  let loAnchor: InputAt = { version: 0, position: 0n };
  let hiAnchor: InputAt | null = null;
  for (const [v, position] of known) {
    if (v < version - 1 && position > lo) {
      lo = position;
      loAnchor = { version: v, position };
    }
    if (v >= version && position - 1n < hi) {
      hi = position - 1n;
      hiAnchor = { version: v, position };
    }
  }
  for (let probe = 0; hi - lo > 1n; probe++) {
    const slope = hiAnchor
      ? Number(hiAnchor.position - loAnchor.position) / (hiAnchor.version - loAnchor.version)
      : density;
    const estimate = loAnchor.position + BigInt(Math.round((version - 1 - loAnchor.version) * slope)) - 1n;
    const mid = probe < INTERPOLATION_PROBES ? clamp(estimate, lo + 1n, hi - 1n) : (lo + hi) / 2n;
    const found = await probeAfter(mid);
    if (!found) {
      hi = mid;
      continue;
    }
    if (found.version === version - 1) return found.position;
    if (found.version === version) return found.position - 1n;
    if (found.version < version) {
      lo = found.position;
      loAnchor = found;
    } else {
      hi = mid;
      hiAnchor = found;
    }
  }
  return hi;
}

function clamp(value: bigint, min: bigint, max: bigint): bigint {
  return value < min ? min : value > max ? max : value;
}
