import type { EventStore, StoredEvent, SystemInfo } from '@pasid/store';
import DataLoader from 'dataloader';

/** The events of one version of one system (the input first, then its derived events). */
export interface VersionKey {
  system: string;
  version: number;
}

/** Versions further apart than this are read in separate queries rather than one long range. */
const MAX_VERSION_GAP = 256;

/**
 * Batching and per-request caching of store reads. Built fresh for every request (never shared
 * between requests or users), so a page of events asks the store once for all their derived events
 * and a request naming one system in many fields reads its row once. States are not here: their
 * one cache is the process's StateCache (see state/state-cache.ts), shared across requests.
 */
export function createLoaders(store: EventStore) {
  return {
    system: new DataLoader<string, SystemInfo | null>(async (names) => {
      if (names.length === 1) return [await store.getSystem(names[0]!)];
      const all = new Map((await store.listSystems()).map((s) => [s.name, s]));
      return names.map((name) => all.get(name) ?? null);
    }),

    eventsOfVersion: new DataLoader<VersionKey, StoredEvent[], string>((keys) => readVersions(store, keys), {
      cacheKeyFn: (k) => `${k.system}\u0000${k.version}`,
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/** One readStream per system and run of nearby versions, split back per version. */
async function readVersions(store: EventStore, keys: readonly VersionKey[]): Promise<StoredEvent[][]> {
  const bySystem = new Map<string, number[]>();
  for (const k of keys) bySystem.set(k.system, [...(bySystem.get(k.system) ?? []), k.version]);
  const found = new Map<string, StoredEvent[]>();
  const reads: Promise<void>[] = [];
  for (const [system, versions] of bySystem) {
    for (const [from, to] of runsOf(versions)) {
      reads.push(
        store.readStream(system, { fromVersion: from, toVersion: to }).then((events) => {
          for (const e of events) {
            const key = `${system}\u0000${e.version}`;
            const list = found.get(key);
            if (list) list.push(e);
            else found.set(key, [e]);
          }
        }),
      );
    }
  }
  await Promise.all(reads);
  return keys.map((k) =>
    (found.get(`${k.system}\u0000${k.version}`) ?? []).sort((a, b) => a.index - b.index),
  );
}

function runsOf(versions: number[]): [number, number][] {
  const sorted = [...new Set(versions)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const v of sorted) {
    const last = runs.at(-1);
    if (last && v - last[1] <= MAX_VERSION_GAP) last[1] = v;
    else runs.push([v, v]);
  }
  return runs;
}
