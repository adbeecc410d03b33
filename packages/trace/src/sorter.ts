import type { Fact } from './fact.js';

/**
 * Merges the facts of several sources into one stream ordered by time (Perfetto's TraceSorter):
 * each source first goes through a reorder window (bpftrace prints per-CPU buffers, so its lines
 * can be a little out of order), then a k-way merge takes the earliest head. A fact older than
 * one its source already released is out of order: it is handed to `late` (counted and
 * reported), never silently moved. Memory: the window's facts and one batch per source.
 */
export interface SorterOptions {
  /** How far back (ns of trace time) a fact may arrive and still be put in its place. */
  windowNs: number;
  /** At most this many facts held per source, whatever the window. */
  maxHeld: number;
  late(fact: Fact, releasedTs: number): void;
}

/** At most this many facts held by one source's window, whatever its time span. */
export const DEFAULT_MAX_HELD = 20_000;

/** The reorder window of one source. */
export class ReorderBuffer {
  private held: Fact[] = [];
  private start = 0;
  private maxTs = -Infinity;
  private releasedTs = -Infinity;

  constructor(private readonly options: SorterOptions) {}

  /**
   * Adds facts one by one, releasing after each those now older than the window, so that with
   * no window a line earlier than its predecessor is late even within one batch. Returns the
   * released facts, in time order.
   */
  push(facts: readonly Fact[]): Fact[] {
    const from = this.start;
    for (const fact of facts) {
      this.add(fact);
      this.advance(this.maxTs - this.options.windowNs);
    }
    return this.take(from);
  }

  /** Everything held (end of the source, or the source is idle). */
  flush(): Fact[] {
    const from = this.start;
    this.advance(Infinity);
    return this.take(from);
  }

  get size(): number {
    return this.held.length - this.start;
  }

  private add(fact: Fact): void {
    if (fact.ts < this.releasedTs) {
      this.options.late(fact, this.releasedTs);
      return;
    }
    if (fact.ts > this.maxTs) this.maxTs = fact.ts;
    const held = this.held;
    const last = held[held.length - 1];
    if (held.length === this.start || (last && last.ts <= fact.ts)) {
      held.push(fact);
      return;
    }
    // Rare: insert after every held fact with ts <= this one (stable for equal times).
    let lo = this.start;
    let hi = held.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((held[mid] as Fact).ts <= fact.ts) lo = mid + 1;
      else hi = mid;
    }
    held.splice(lo, 0, fact);
  }

  /** Marks as released the held facts up to `upTo`, and any beyond what may be held. */
  private advance(upTo: number): void {
    const held = this.held;
    let end = this.start;
    const overflow = held.length - this.start - this.options.maxHeld;
    while (end < held.length && ((held[end] as Fact).ts <= upTo || end - this.start < overflow)) end += 1;
    if (end === this.start) return;
    this.releasedTs = (held[end - 1] as Fact).ts;
    this.start = end;
  }

  private take(from: number): Fact[] {
    if (from === this.start) return [];
    const out = this.held.slice(from, this.start);
    if (this.start === this.held.length) {
      // Nothing held (always, without a window): keep no released fact alive. Released facts
      // kept until a later compaction outlived the young generation's collections, and V8 then
      // grew it to its largest (most of the 1,000,000-line bench's peak RSS).
      this.held.length = 0;
      this.start = 0;
    } else if (this.start > 4096 && this.start * 2 > this.held.length) {
      this.held = this.held.slice(this.start);
      this.start = 0;
    }
    return out;
  }
}

/** Batches of facts from one source; an empty batch means "nothing now" (a live source idling). */
export type FactBatches = AsyncIterator<Fact[]>;

/**
 * How long (ms of wall-clock time) a live source may stay quiet and still hold back the others'
 * later facts. While one source of several has nothing new, its next line could be earlier than
 * what the others hold, so their facts after the time it has reached wait for it; once it has
 * been quiet this long it is taken as caught up, and a line it brings later that is earlier than
 * what was merged is out of order (reported, never moved). So across live files, order is
 * guaranteed for sources that lag each other by less than this.
 */
export const DEFAULT_IDLE_WINDOW_MS = 1000;

export interface MergeOptions extends Omit<SorterOptions, 'windowNs'> {
  /** See DEFAULT_IDLE_WINDOW_MS. */
  idleWindowMs?: number;
  /** The wall clock (ms), for the idle window; tests pass their own. */
  now?: () => number;
}

interface Lane {
  iterator: FactBatches;
  buffer: ReorderBuffer;
  ready: Fact[];
  at: number;
  done: boolean;
  idle: boolean;
  /** When (wall clock) it last went quiet. */
  idleSince: number;
  /** The time of the last fact merged from it: the trace time it has passed. */
  passedTs: number;
}

/** The k-way merge: yields batches of facts in time order across every source. */
export async function* mergeByTime(
  sources: readonly { batches: FactBatches; windowNs: number }[],
  options: MergeOptions,
): AsyncGenerator<Fact[]> {
  const { idleWindowMs = DEFAULT_IDLE_WINDOW_MS, now = Date.now, ...sorter } = options;
  const lanes: Lane[] = sources.map(({ batches: iterator, windowNs }) => ({
    iterator,
    buffer: new ReorderBuffer({ ...sorter, windowNs }),
    ready: [],
    at: 0,
    done: false,
    idle: false,
    idleSince: 0,
    passedTs: -Infinity,
  }));
  const fill = async (lane: Lane) => {
    while (lane.at >= lane.ready.length && !lane.done) {
      const next = await lane.iterator.next();
      if (next.done) {
        lane.done = true;
        lane.ready = lane.buffer.flush();
      } else if (next.value.length === 0) {
        // An idle live source: release what it holds; the others wait for it (see limit below).
        lane.ready = lane.buffer.flush();
        if (!lane.idle) lane.idleSince = now();
        lane.idle = true;
      } else {
        lane.idle = false;
        lane.ready = lane.buffer.push(next.value);
      }
      lane.at = 0;
      if (lane.idle) return;
    }
  };
  if (lanes.length === 1) {
    const lane = lanes[0] as Lane;
    for (;;) {
      await fill(lane);
      if (lane.at < lane.ready.length) {
        yield lane.at === 0 ? lane.ready : lane.ready.slice(lane.at);
        lane.at = lane.ready.length;
      } else if (lane.done) return;
      else if (lane.idle) yield [];
    }
  }
  let mergedTs = -Infinity;
  for (;;) {
    await Promise.all(lanes.map(fill));
    if (lanes.every((l) => l.done && l.at >= l.ready.length)) return;
    // A quiet live source with nothing ready holds the others at the time it has passed, until
    // it has been quiet for the idle window.
    const clock = now();
    let limit = Infinity;
    for (const lane of lanes) {
      if (lane.at < lane.ready.length || lane.done) continue;
      if (clock - lane.idleSince < idleWindowMs) limit = Math.min(limit, lane.passedTs);
    }
    const out: Fact[] = [];
    for (;;) {
      let best: Lane | undefined;
      let second = Infinity;
      for (const lane of lanes) {
        if (lane.at >= lane.ready.length) continue;
        const ts = (lane.ready[lane.at] as Fact).ts;
        if (!best || ts < (best.ready[best.at] as Fact).ts) {
          if (best) second = Math.min(second, (best.ready[best.at] as Fact).ts);
          best = lane;
        } else second = Math.min(second, ts);
      }
      if (!best) break;
      const upTo = Math.min(second, limit);
      const from = best.at;
      while (best.at < best.ready.length && (best.ready[best.at] as Fact).ts <= upTo) {
        const fact = best.ready[best.at] as Fact;
        best.at += 1;
        // Earlier than what another source already gave: a source that stayed quiet past the
        // idle window and then brought old lines. Reported, never moved.
        if (fact.ts < mergedTs) sorter.late(fact, mergedTs);
        else {
          out.push(fact);
          mergedTs = fact.ts;
        }
      }
      if (best.at > from) best.passedTs = (best.ready[best.at - 1] as Fact).ts;
      // Held at the limit, or a lane ran out: read again before choosing further.
      if (best.at === from || (best.at >= best.ready.length && !best.done)) break;
    }
    // An empty batch while facts wait for a quiet source: a follower flushes what it has.
    yield out;
  }
}
