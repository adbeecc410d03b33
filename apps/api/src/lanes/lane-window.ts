/**
 * What one zoom of the lanes shows: the lanes with a bar or a hazard mark in the window
 * [from, to), a page of them, with a bounded number of bars and marks each. At `resolution` steps
 * across the window a step is (to - from) / resolution versions wide: bars of a kind less than a
 * step apart merge into one (their count kept), and marks share one per step, so any zoom of any
 * history answers with at most about `resolution` bars and marks per lane.
 */
import type { HazardCode, HazardMark } from '@pasid/domain';
import type { BarTone, LaneBar, LaneGroup, LaneRow } from './lane-rows.js';

export interface WindowBar {
  key: string;
  from: number;
  /** The step that ended the last of them; null while open at the end of the history. */
  to: number | null;
  tone: BarTone;
  label: string;
  title: string;
  /** The bars merged into this one (1: a bar as it is). */
  count: number;
}

/** The hazards of one lane within one step of the window: the first of them, and how many. */
export interface MarkBucket {
  code: HazardCode;
  /** The first one's version, and the last one's. */
  version: number;
  lastVersion: number;
  count: number;
  tid: number | null;
  pid: number | null;
  device: string | null;
  pasid: number | null;
}

export type WindowRow =
  | { kind: 'group'; key: string; group: LaneGroup; label: string; count: number }
  | {
      kind: 'lane';
      key: string;
      group: LaneGroup;
      label: string;
      nested: boolean;
      bars: WindowBar[];
      marks: MarkBucket[];
    };

export interface LaneWindow {
  from: number;
  to: number;
  /** Versions per step: bars closer than this merged, marks within one shared. */
  step: number;
  /** Rows (group headings and lanes) the whole window has; `rows` is the page from `offset`. */
  total: number;
  offset: number;
  rows: WindowRow[];
}

export interface WindowRequest {
  /** The history's last version: an open bar reaches last + 1. */
  last: number;
  from: number;
  to: number;
  resolution: number;
  offset: number;
  first: number;
}

const endOf = (bar: { to: number | null }, last: number) => bar.to ?? last + 1;

/** The first index of `marks` (in version order) at or after `version`. */
function firstAtOrAfter(marks: readonly HazardMark[], version: number): number {
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (marks[mid]!.version < version) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The lanes of a whole history, with each lane's extent (its first start, its last end) for a
 * quick look at whether it can show in a window: most lanes (a task, a file) are one or two bars.
 */
export interface LaneIndex {
  rows: readonly LaneRow[];
  /** Per row: the first start of its bars and marks, and the end of the last (a heading: 0, 0). */
  starts: Float64Array;
  ends: Float64Array;
  /** The rows recent windows showed, by `from:to`: the pages of one window, scrolled, cut it once. */
  visible: Map<string, LaneRow[]>;
}

/** Windows whose rows are kept per lane list. */
const VISIBLE_KEPT = 8;

export function indexLanes(rows: readonly LaneRow[]): LaneIndex {
  const starts = new Float64Array(rows.length);
  const ends = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    if (row.kind === 'group') return;
    let start = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (const b of row.bars) {
      start = Math.min(start, b.from);
      end = Math.max(end, b.to ?? Number.POSITIVE_INFINITY);
    }
    if (row.marks.length > 0) {
      start = Math.min(start, row.marks[0]!.version);
      end = Math.max(end, row.marks[row.marks.length - 1]!.version + 1);
    }
    starts[i] = start;
    ends[i] = end;
  });
  return { rows, starts, ends, visible: new Map() };
}

const shows = (row: LaneRow & { kind: 'lane' }, r: WindowRequest) =>
  row.bars.some((b) => b.from < r.to && endOf(b, r.last) > r.from) ||
  (row.marks.length > 0 && (row.marks[firstAtOrAfter(row.marks, r.from)]?.version ?? r.to) < r.to);

/** Bars of one kind (a PASID's generations alternate tones but never overlap) merge together. */
const kindOf = (tone: BarTone) => (tone === 'pasid-alt' ? 'pasid' : tone);

/**
 * The bars of a lane inside the window, those of a kind less than `step` apart merged: each
 * result spans from its first bar's start to its last bar's end, so together they cover every
 * bar, and a gap of a step or more between two bars is never covered. With `step <= 1` (a step
 * per version or finer) every bar stays as it is.
 */
export function mergeBars(bars: readonly LaneBar[], r: WindowRequest, step: number): WindowBar[] {
  const byKind = new Map<string, LaneBar[]>();
  for (const bar of bars) {
    if (!(bar.from < r.to && endOf(bar, r.last) > r.from)) continue;
    const kind = kindOf(bar.tone);
    const list = byKind.get(kind);
    if (list) list.push(bar);
    else byKind.set(kind, [bar]);
  }
  const out: WindowBar[] = [];
  for (const list of byKind.values()) {
    list.sort((a, b) => a.from - b.from);
    let run: LaneBar[] = [];
    let runEnd = Number.NEGATIVE_INFINITY;
    const flush = () => {
      if (run.length === 0) return;
      const head = run[0]!;
      const open = run.some((b) => b.to === null);
      out.push(
        run.length === 1
          ? { ...head, title: head.title(), count: 1 }
          : {
              key: `${head.key}+${run.length}`,
              from: head.from,
              to: open ? null : runEnd,
              tone: head.tone,
              label: `${run.length.toLocaleString('en')} ×`,
              title: `${run.length.toLocaleString('en')} bars merged at this zoom, steps ${head.from} to ${open ? 'the end' : runEnd}: zoom in to see each`,
              count: run.length,
            },
      );
      run = [];
    };
    for (const bar of list) {
      if (run.length > 0 && !(step > 1 && bar.from - runEnd < step)) flush();
      if (run.length === 0) runEnd = Number.NEGATIVE_INFINITY;
      run.push(bar);
      runEnd = Math.max(runEnd, endOf(bar, r.last));
    }
    flush();
  }
  return out.sort((a, b) => a.from - b.from || kindRank(a.tone) - kindRank(b.tone));
}

/** Within a start, the lane's own span (task, process) before what it held (MSR). */
const kindRank = (tone: BarTone) => (tone === 'msr' ? 1 : 0);

/** The marks of a lane inside the window, one bucket per step (at least one version) they fall in. */
export function bucketMarks(marks: readonly HazardMark[], r: WindowRequest, step: number): MarkBucket[] {
  const width = Math.max(1, step);
  const out: MarkBucket[] = [];
  let bucket = -1;
  for (let i = firstAtOrAfter(marks, r.from); i < marks.length; i++) {
    const m = marks[i]!;
    if (m.version >= r.to) break;
    const at = Math.floor((m.version - r.from) / width);
    const open = out[out.length - 1];
    if (at === bucket && open) {
      open.count += 1;
      open.lastVersion = m.version;
      continue;
    }
    bucket = at;
    out.push({
      code: m.code,
      version: m.version,
      lastVersion: m.version,
      count: 1,
      tid: m.tid ?? null,
      pid: m.pid ?? null,
      device: m.device ?? null,
      pasid: m.pasid ?? null,
    });
  }
  return out;
}

/** The headings (with their lanes in the window counted) and the lanes with something in it. */
function visibleRows(index: LaneIndex, r: WindowRequest): LaneRow[] {
  const { rows, starts, ends } = index;
  const visible: LaneRow[] = [];
  let heading: { index: number; count: number } | null = null;
  const close = () => {
    if (heading) {
      const row = visible[heading.index] as LaneRow & { kind: 'group' };
      visible[heading.index] = { ...row, count: heading.count };
    }
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.kind === 'group') {
      close();
      heading = { index: visible.push(row) - 1, count: 0 };
      continue;
    }
    // Outside its extent it cannot show; inside, a lane of one bar does, others are looked at.
    if (!(starts[i]! < r.to && ends[i]! > r.from)) continue;
    if (row.bars.length + row.marks.length > 1 && !shows(row, r)) continue;
    visible.push(row);
    if (heading) heading.count += 1;
  }
  close();
  return visible;
}

/**
 * The rows `rows` (the whole history's, filtered) show in the window: headings with their count
 * of lanes in the window, lanes with something in it; a page of them, bars merged, marks bucketed.
 */
export function laneWindow(index: LaneIndex, r: WindowRequest): LaneWindow {
  const step = (r.to - r.from) / r.resolution;
  const id = `${r.from}:${r.to}`;
  let visible = index.visible.get(id);
  if (!visible) {
    visible = visibleRows(index, r);
    index.visible.set(id, visible);
    if (index.visible.size > VISIBLE_KEPT) index.visible.delete(index.visible.keys().next().value!);
  }
  const page = visible.slice(r.offset, r.offset + r.first).map((row): WindowRow => {
    if (row.kind === 'group') return row;
    return {
      kind: 'lane',
      key: row.key,
      group: row.group,
      label: row.label,
      nested: row.nested,
      bars: mergeBars(row.bars, r, step),
      marks: bucketMarks(row.marks, r, step),
    };
  });
  return { from: r.from, to: r.to, step, total: visible.length, offset: r.offset, rows: page };
}
