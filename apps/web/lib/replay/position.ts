/** Reading the replay position from the URL (`?at=12`). */
export type ParsedPosition =
  | { ok: true; at: number }
  /** Not a step of this history: the page says so instead of showing another step. */
  | { ok: false; message: string };

export function parsePosition(raw: string | string[] | undefined | null, version: number): ParsedPosition {
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === '') return { ok: true, at: version };
  if (!/^\d+$/.test(value)) {
    return {
      ok: false,
      message: `"${value}" is not a step: the position is a whole number from 0 to ${version.toLocaleString('en')}.`,
    };
  }
  const at = Number(value);
  if (at > version) {
    return {
      ok: false,
      message: `There is no step ${value}: this history has ${version.toLocaleString('en')} input event${version === 1 ? '' : 's'} (steps 0 to ${version.toLocaleString('en')}).`,
    };
  }
  return { ok: true, at };
}

/** `count` versions spread evenly over 0..version, both ends included, increasing, no duplicates. */
export function sampleVersions(version: number, count: number): number[] {
  if (version + 1 <= count) return Array.from({ length: version + 1 }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * version) / (count - 1)));
  return [...out].sort((a, b) => a - b);
}
