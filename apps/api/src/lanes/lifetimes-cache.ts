import { LifetimeRecorder, type Lifetimes, type Policy, Replayer } from '@pasid/domain';
import type { EventStore } from '@pasid/store';
import { type LaneFilter, laneRows } from './lane-rows.js';
import { indexLanes, type LaneIndex } from './lane-window.js';

/** Lifetimes of a long history are large (a 1,000,000-event one: some 300,000 spans): keep few. */
const MAX_LIFETIMES = 4;
/** Filtered lane lists kept per lifetimes: a filter typed in, then cleared, is asked again. */
const MAX_FILTERS = 8;

export interface LifetimesKey {
  system: string;
  version: number;
  policy: Policy;
  maxPasid: number;
}

interface Entry {
  lifetimes: Lifetimes;
  lanes: Map<string, LaneIndex>;
}

/**
 * The lifetimes of a system's history up to a version, under a policy: the domain decides the
 * stored inputs again and folds the steps (`LifetimeRecorder`, as `lifetimes` does), once per
 * (system, version, policy) for the whole process, since a recorded history never changes. Each
 * keeps its lanes per filter. The lanes query's one cache (see the README's cache table).
 */
export class LifetimesCache {
  private readonly entries = new Map<string, Promise<Entry>>();

  constructor(private readonly store: EventStore) {}

  /** The lanes of `key`'s lifetimes under `filter` (the whole history's), and the lifetimes. */
  async lanes(
    key: LifetimesKey,
    filter: LaneFilter,
    compute: (work: () => Promise<Lifetimes>) => Promise<Lifetimes>,
  ): Promise<{ lifetimes: Lifetimes; lanes: LaneIndex }> {
    const entry = await this.entry(key, compute);
    const id = JSON.stringify(filter, Object.keys(filter).sort());
    let lanes = entry.lanes.get(id);
    if (!lanes) {
      lanes = indexLanes(laneRows(entry.lifetimes, filter));
      entry.lanes.set(id, lanes);
      if (entry.lanes.size > MAX_FILTERS) entry.lanes.delete(entry.lanes.keys().next().value!);
    } else {
      // Most recently used last.
      entry.lanes.delete(id);
      entry.lanes.set(id, lanes);
    }
    return { lifetimes: entry.lifetimes, lanes };
  }

  private entry(
    key: LifetimesKey,
    compute: (work: () => Promise<Lifetimes>) => Promise<Lifetimes>,
  ): Promise<Entry> {
    const id = `${key.system}\u0000${key.version}\u0000${key.policy}`;
    let entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      this.entries.set(id, entry);
      return entry;
    }
    entry = compute(() => this.fold(key)).then((lifetimes) => ({ lifetimes, lanes: new Map() }));
    this.entries.set(id, entry);
    // A failed computation is not kept: the next request tries again.
    entry.catch(() => this.entries.delete(id));
    if (this.entries.size > MAX_LIFETIMES) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }

  /** The stored inputs up to `key.version`, decided under `key.policy` and folded. */
  private async fold(key: LifetimesKey): Promise<Lifetimes> {
    const replayer = new Replayer({ policy: key.policy, maxPasid: key.maxPasid });
    const recorder = new LifetimeRecorder();
    for await (const input of this.store.inputsOf(key.system)) {
      if (replayer.version === key.version) break;
      const decision = replayer.apply(input);
      if (!decision.ok) {
        throw new Error(
          `input ${replayer.version + 1} (${input.type}) rejected: ${decision.rejection.message}`,
        );
      }
      recorder.step({ input, derived: decision.events });
    }
    return recorder.result();
  }
}
