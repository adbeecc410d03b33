/**
 * Hazards along the scrubber as a histogram: one bar per bucket of steps, as tall as its count
 * against the fullest bucket. Thousands of hazards on a long history stay readable (where they
 * cluster), where one tick per hazard would merge into a solid bar.
 */
export interface HazardBucket {
  /** First and last step of the bucket (inclusive). */
  from: number;
  to: number;
  count: number;
  /** count / the fullest bucket's count, in (0, 1]. */
  height: number;
}

/** Buckets with at least one hazard, over steps 0..max; one bucket per step on short histories. */
export function hazardDensity(events: readonly number[], max: number, buckets = 160): HazardBucket[] {
  const n = Math.max(1, Math.min(buckets, max + 1));
  const width = (max + 1) / n;
  const counts = new Array<number>(n).fill(0);
  for (const e of events) counts[Math.min(n - 1, Math.floor(e / width))]! += 1;
  const fullest = Math.max(1, ...counts);
  const out: HazardBucket[] = [];
  counts.forEach((count, i) => {
    if (count === 0) return;
    const from = Math.ceil(i * width);
    const to = Math.min(max, Math.ceil((i + 1) * width) - 1);
    out.push({ from, to, count, height: count / fullest });
  });
  return out;
}
