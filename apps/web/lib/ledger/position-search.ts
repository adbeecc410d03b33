/**
 * Where a version starts in the global log. The API pages a system's events by position only, and
 * positions are global (systems interleave), so the replay's timeline finds the place of a version
 * by searching positions. g(p), the version of the first input event after position p, never
 * decreases as p grows; positions grow nearly linearly with versions, so a probe at the estimated
 * place usually lands within a few events (interpolation), and bisection takes over if not.
 */

export interface InputAt {
  version: number;
  position: number;
}

/** The first input event after a position, or null past the end. */
export type ProbeAfter = (position: number) => Promise<InputAt | null>;

const INTERPOLATION_PROBES = 8;

/**
 * A position `p` such that the first input event after `p` is `version` (0 for version 1).
 * `known` maps versions to the positions of their input events (anchors seen before); `density`
 * is the expected number of positions per version (stored events per input event).
 */
export async function findPositionBefore(
  version: number,
  probeAfter: ProbeAfter,
  known: ReadonlyMap<number, number>,
  density: number,
): Promise<number> {
  if (version <= 1) return 0;
  const exact = known.get(version - 1);
  if (exact !== undefined) return exact;
  const at = known.get(version);
  if (at !== undefined) return at - 1;
  // Invariant: g(lo) < version <= g(hi), with anchors of real inputs to interpolate between.
  let lo = 0;
  let hi = 2 ** 31 - 1;
  let loAnchor: InputAt = { version: 0, position: 0 };
  let hiAnchor: InputAt | null = null;
  for (const [v, position] of known) {
    if (v < version - 1 && position > lo) {
      lo = position;
      loAnchor = { version: v, position };
    }
    if (v >= version && position - 1 < hi) {
      hi = position - 1;
      hiAnchor = { version: v, position };
    }
  }
  for (let probe = 0; hi - lo > 1; probe++) {
    const slope = hiAnchor
      ? (hiAnchor.position - loAnchor.position) / (hiAnchor.version - loAnchor.version)
      : density;
    const estimate = Math.round(loAnchor.position + (version - 1 - loAnchor.version) * slope) - 1;
    const mid =
      probe < INTERPOLATION_PROBES ? Math.min(Math.max(estimate, lo + 1), hi - 1) : Math.floor((lo + hi) / 2);
    const found = await probeAfter(mid);
    if (!found) {
      hi = mid;
      continue;
    }
    if (found.version === version - 1) return found.position;
    if (found.version === version) return found.position - 1;
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
