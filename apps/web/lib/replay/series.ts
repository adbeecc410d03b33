/** Chart series from sampled states: allocated PASIDs and each PASID's count over the history. */

export interface SampledPasids {
  version: number;
  pasids: { pasid: number; pid: number; refcount: number | null }[];
}

export interface SeriesPoint {
  version: number;
  allocated: number;
  /** `p<value>`: that PASID's count (LAZY_REFCOUNT), absent while it is not allocated. */
  [key: `p${number}`]: number | undefined;
}

export interface PasidSeries {
  points: SeriesPoint[];
  /** The PASIDs drawn as refcount lines (the busiest ones, at most `maxLines`). */
  pasids: number[];
  hasRefcounts: boolean;
}

export function toPasidSeries(samples: readonly SampledPasids[], maxLines = 12): PasidSeries {
  const peak = new Map<number, number>();
  let hasRefcounts = false;
  for (const s of samples) {
    for (const p of s.pasids) {
      if (p.refcount !== null) hasRefcounts = true;
      peak.set(p.pasid, Math.max(peak.get(p.pasid) ?? 0, p.refcount ?? 0));
    }
  }
  const pasids = [...peak.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, maxLines)
    .map(([value]) => value)
    .sort((a, b) => a - b);
  const drawn = new Set(pasids);
  const points = samples.map((s) => {
    const point: SeriesPoint = { version: s.version, allocated: s.pasids.length };
    if (hasRefcounts) {
      for (const p of s.pasids)
        if (drawn.has(p.pasid) && p.refcount !== null) point[`p${p.pasid}`] = p.refcount;
    }
    return point;
  });
  return { points, pasids: hasRefcounts ? pasids : [], hasRefcounts };
}
