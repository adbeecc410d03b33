/** Chart series from sampled states: allocated PASIDs and each PASID's count over the history. */

export interface SampledPasids {
  version: number;
  pasids: { pasid: number; pid: number; refcount: number | null }[];
}

export interface AllocatedPoint {
  version: number;
  allocated: number;
}

/** One PASID value's count at every sample: 0 at the sample where it was freed, null while free. */
export interface PasidLine {
  pasid: number;
  counts: (number | null)[];
  /** The highest count it reached. */
  peak: number;
}

export interface PasidSeries {
  versions: number[];
  allocated: AllocatedPoint[];
  /** Every PASID value that appears, in numeric order (none under a policy without counts). */
  lines: PasidLine[];
  hasRefcounts: boolean;
}

export function toPasidSeries(samples: readonly SampledPasids[]): PasidSeries {
  const hasRefcounts = samples.some((s) => s.pasids.some((p) => p.refcount !== null));
  const versions = samples.map((s) => s.version);
  const allocated = samples.map((s) => ({ version: s.version, allocated: s.pasids.length }));
  if (!hasRefcounts) return { versions, allocated, lines: [], hasRefcounts };
  const lines = new Map<number, PasidLine>();
  samples.forEach((s, i) => {
    for (const p of s.pasids) {
      let line = lines.get(p.pasid);
      if (!line) {
        line = { pasid: p.pasid, counts: new Array(samples.length).fill(null), peak: 0 };
        lines.set(p.pasid, line);
      }
      line.counts[i] = p.refcount ?? 0;
      line.peak = Math.max(line.peak, p.refcount ?? 0);
    }
  });
  // The drop to 0: a value held at one sample and free at the next was freed in between.
  for (const line of lines.values()) {
    for (let i = 1; i < line.counts.length; i++) {
      if (line.counts[i] === null && line.counts[i - 1] !== null && line.counts[i - 1] !== 0)
        line.counts[i] = 0;
    }
  }
  return { versions, allocated, lines: [...lines.values()].sort((a, b) => a.pasid - b.pasid), hasRefcounts };
}
