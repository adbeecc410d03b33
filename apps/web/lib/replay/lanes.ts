/**
 * The lanes view's own arithmetic: the filter in the URL, the view range, zoom and axis ticks.
 * The lanes themselves come from the API's `lanes` query (a window of the domain's lifetimes,
 * filtered there): see lib/ledger `getLaneWindow`.
 */
import { HAZARD_CODES } from '@pasid/domain';
import type { HazardCode, LaneFilter } from '../ledger/types';

export type { LaneFilter };

/** Steps across a window the API merges bars and buckets marks to: about a bar per two pixels. */
export const LANE_RESOLUTION = 600;
/** Rows (headings and lanes) per request; the rest load as the lanes scroll. */
export const LANES_PAGE = 60;

export function parseLaneFilter(params: Record<string, string | string[] | undefined>): LaneFilter {
  const one = (k: string) => {
    const v = params[k];
    return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  };
  const int = (k: string) => {
    const v = one(k);
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return {
    pid: int('pid'),
    tid: int('tid'),
    pasid: int('pasid'),
    device: one('device'),
    fd: int('fd'),
    code: HAZARD_CODES.find((c): c is HazardCode => c === one('code')),
  };
}

/** A view range over the history, in steps: [from, to), at least `minSteps` wide, inside [0, last + 1]. */
export function clampRange(from: number, to: number, last: number, minSteps = 4): [number, number] {
  const end = last + 1;
  let width = Math.max(Math.min(to - from, end), Math.min(minSteps, end));
  if (!Number.isFinite(width) || width <= 0) width = end;
  let start = Math.round(Math.max(0, Math.min(from, end - width)));
  width = Math.round(width);
  if (start + width > end) start = Math.max(0, end - width);
  return [start, start + width];
}

/** Zoom by `factor` (< 1 in, > 1 out) around step `at`. */
export function zoomRange(
  range: [number, number],
  factor: number,
  at: number,
  last: number,
): [number, number] {
  const [from, to] = range;
  const width = (to - from) * factor;
  const ratio = (at - from) / (to - from);
  return clampRange(at - width * ratio, at - width * ratio + width, last);
}

/** Nice tick steps for an axis of `width` steps drawn in about `count` ticks. */
export function axisTicks(from: number, to: number, count = 10): number[] {
  const raw = Math.max(1, (to - from) / count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(from / step) * step; v < to; v += step) out.push(v);
  return out;
}
