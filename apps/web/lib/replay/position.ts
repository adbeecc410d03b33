/** Reading the replay position from the URL (`?at=12`), clamped to the history. */
export function parsePosition(raw: string | string[] | undefined | null, version: number): number {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === null || value.trim() === '') return version;
  const n = Number(value);
  if (!Number.isFinite(n)) return version;
  return Math.min(Math.max(Math.trunc(n), 0), version);
}

/** `count` versions spread evenly over 0..version, both ends included, increasing, no duplicates. */
export function sampleVersions(version: number, count: number): number[] {
  if (version + 1 <= count) return Array.from({ length: version + 1 }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * version) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}
