/**
 * A global log position. The column is an int8, which goes past 2^53 where a JS number stops
 * being exact, so positions are bigints from the row to every caller (the API writes them as
 * decimal strings).
 */
export type Position = bigint;

/** The largest int8: the column's own limit. */
export const MAX_POSITION: Position = 9_223_372_036_854_775_807n;

/** Before the first event: `after` it means the whole log; a stream with no event has it. */
export const START_POSITION: Position = 0n;

/**
 * An int8 as the drivers give it (pg and PGlite: a number when it is a safe integer, a bigint or
 * a decimal string beyond) as a Position; never through a float.
 */
export function toPosition(value: number | string | bigint | null | undefined): Position {
  if (value === null || value === undefined) return START_POSITION;
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new RangeError(`position ${value} came back as an inexact number`);
  return BigInt(value);
}

/** For sorts: negative, zero or positive as `a` is before, at or after `b`. */
export function comparePositions(a: Position, b: Position): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
