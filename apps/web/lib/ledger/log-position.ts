/**
 * A position in the log as the API writes it (the `Position` scalar): a decimal string, exact
 * up to 2^63 - 1. Never turned into a JS number, which stops being exact at 2^53: compared and
 * stepped as a bigint, shown as the string it is.
 */
export type LogPosition = string;

const DECIMAL = /^(0|[1-9][0-9]{0,18})$/;
const MAX = 9_223_372_036_854_775_807n;

/** Whether `text` is a position the API would take (`?after=` in a URL, say). */
export function isLogPosition(text: string): boolean {
  return DECIMAL.test(text) && BigInt(text) <= MAX;
}

/** Negative, zero or positive as `a` is before, at or after `b` in the log. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The position just before `p` (as a cursor, it pages from `p` itself). */
export function positionBefore(p: LogPosition): LogPosition {
  return (BigInt(p) - 1n).toString();
}

/** The later of the positions, or null for none. */
export function lastOf(positions: readonly LogPosition[]): LogPosition | null {
  let last: LogPosition | null = null;
  for (const p of positions) if (last === null || comparePositions(p, last) > 0) last = p;
  return last;
}
