'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { LedgerState, Policy } from '@/lib/ledger/types';

export interface StatePair {
  at: number;
  state: LedgerState;
  previous: LedgerState | null;
}

const CACHE_SIZE = 400;

/**
 * The state at a position, fetched from the API's time travel (through the web server) and
 * cached; only the answer for the latest request is ever shown, so fast scrubbing never shows a
 * step out of order.
 */
export function useStateAt(system: string, initial: StatePair, policy?: Policy) {
  const [shown, setShown] = useState<StatePair>(initial);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const cache = useRef(new Map<number, StatePair>([[initial.at, initial]]));
  const wanted = useRef(initial.at);
  const inflight = useRef(new Map<number, Promise<StatePair>>());

  const fetchPair = useCallback(
    (at: number): Promise<StatePair> => {
      const hit = cache.current.get(at);
      if (hit) return Promise.resolve(hit);
      const pending = inflight.current.get(at);
      if (pending) return pending;
      const params = new URLSearchParams({ at: String(at) });
      if (policy) params.set('policy', policy);
      const promise = fetch(`/api/systems/${encodeURIComponent(system)}/state?${params}`)
        .then(async (res) => {
          const body = (await res.json()) as {
            state: LedgerState;
            previous: LedgerState | null;
            error?: string;
          };
          if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
          const pair = { at, state: body.state, previous: body.previous };
          cache.current.set(at, pair);
          if (cache.current.size > CACHE_SIZE) {
            const oldest = cache.current.keys().next().value;
            if (oldest !== undefined) cache.current.delete(oldest);
          }
          return pair;
        })
        .finally(() => inflight.current.delete(at));
      inflight.current.set(at, promise);
      return promise;
    },
    [system, policy],
  );

  const show = useCallback(
    (at: number) => {
      wanted.current = at;
      const hit = cache.current.get(at);
      if (hit) {
        setShown(hit);
        setError(null);
        return;
      }
      setLoading(true);
      fetchPair(at).then(
        (pair) => {
          if (wanted.current !== at) return;
          setShown(pair);
          setError(null);
          setLoading(false);
        },
        (e: unknown) => {
          if (wanted.current !== at) return;
          setError(e instanceof Error ? e.message : String(e));
          setLoading(false);
        },
      );
    },
    [fetchPair],
  );

  /** Warm the cache (the next steps while playing). */
  const prefetch = useCallback(
    (at: number) => {
      fetchPair(at).catch(() => undefined);
    },
    [fetchPair],
  );

  // A new system or policy: forget what was cached.
  useEffect(() => {
    cache.current = new Map([[initial.at, initial]]);
    setShown(initial);
  }, [initial]);

  return { shown, error, loading, show, prefetch };
}
