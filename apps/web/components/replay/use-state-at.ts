'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { LedgerState, Policy } from '@/lib/ledger/types';

export interface StatePair {
  at: number;
  state: LedgerState;
  /** The state one step before, once known (it marks what this step changed). */
  previous: LedgerState | null;
}

const CACHE_SIZE = 600;
/** The step before is fetched once the position rests this long: scrubbing asks only for what it shows. */
const PREVIOUS_SETTLE_MS = 150;

/**
 * The state at a position, fetched from the API's time travel (through the web server) and
 * cached by version: a recorded state never changes. The state at the position is shown as soon
 * as it arrives; the one before it follows once the position rests, for the highlights. Only the latest position asked
 * for is ever shown, so fast scrubbing never shows a step out of order.
 */
export function useStateAt(
  system: string,
  initial: StatePair,
  policy?: Policy,
  /** Whether to follow each state with the one before it (the replay's highlights); the compare view needs none. */
  options: { previous: boolean } = { previous: true },
) {
  const withPreviousStep = options.previous;
  const [shown, setShown] = useState<StatePair>(initial);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const cache = useRef<Map<number, LedgerState> | null>(null);
  if (cache.current === null) {
    cache.current = new Map([[initial.at, initial.state]]);
    if (initial.previous) cache.current.set(initial.at - 1, initial.previous);
  }
  const wanted = useRef(initial.at);
  const inflight = useRef(new Map<number, Promise<LedgerState>>());

  const fetchState = useCallback(
    (at: number): Promise<LedgerState> => {
      const states = cache.current!;
      const hit = states.get(at);
      if (hit) return Promise.resolve(hit);
      const pending = inflight.current.get(at);
      if (pending) return pending;
      const params = new URLSearchParams({ at: String(at) });
      if (policy) params.set('policy', policy);
      const promise = fetch(`/api/systems/${encodeURIComponent(system)}/state?${params}`)
        .then(async (res) => {
          const body = (await res.json()) as { state?: LedgerState; error?: string };
          if (!res.ok || !body.state) throw new Error(body.error ?? `HTTP ${res.status}`);
          states.set(at, body.state);
          if (states.size > CACHE_SIZE) {
            const oldest = states.keys().next().value;
            if (oldest !== undefined) states.delete(oldest);
          }
          return body.state;
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
      const states = cache.current!;
      const fail = (e: unknown) => {
        if (wanted.current !== at) return;
        setError(e instanceof Error ? e.message : String(e));
        setLoading(false);
      };
      const withPrevious = (state: LedgerState) => {
        const previous = at > 0 && withPreviousStep ? (states.get(at - 1) ?? null) : null;
        setShown({ at, state, previous });
        setError(null);
        if (previous || at === 0 || !withPreviousStep) {
          setLoading(false);
          return;
        }
        setTimeout(() => {
          if (wanted.current !== at) return;
          fetchState(at - 1).then((prev) => {
            if (wanted.current !== at) return;
            setShown((s) => (s.at === at ? { ...s, previous: prev } : s));
            setLoading(false);
          }, fail);
        }, PREVIOUS_SETTLE_MS);
      };
      const hit = states.get(at);
      if (hit) {
        withPrevious(hit);
        return;
      }
      setLoading(true);
      fetchState(at).then((state) => {
        if (wanted.current === at) withPrevious(state);
      }, fail);
    },
    [fetchState, withPreviousStep],
  );

  /** Whether the state at `at` is at hand (shown at once by `show`). */
  const has = useCallback((at: number) => cache.current!.has(at), []);

  /**
   * Warm the cache with the states `from..to` not yet at hand, in one request (the playback reads
   * ahead); resolves once they are in.
   */
  const prefetch = useCallback(
    async (from: number, to: number): Promise<void> => {
      const states = cache.current!;
      const missing: number[] = [];
      for (let v = from; v <= to; v++) if (!states.has(v) && !inflight.current.has(v)) missing.push(v);
      if (missing.length === 0) {
        await Promise.all([...Array(to - from + 1)].map((_, i) => inflight.current.get(from + i)));
        return;
      }
      const params = new URLSearchParams({ at: missing.join(',') });
      if (policy) params.set('policy', policy);
      const request = fetch(`/api/systems/${encodeURIComponent(system)}/state?${params}`).then(
        async (res) => {
          const body = (await res.json()) as { state?: LedgerState; states?: LedgerState[]; error?: string };
          const got = body.states ?? (body.state ? [body.state] : null);
          if (!res.ok || !got) throw new Error(body.error ?? `HTTP ${res.status}`);
          return got;
        },
      );
      missing.forEach((v, i) => {
        const one = request
          .then((got) => {
            const state = got[i]!;
            states.set(v, state);
            return state;
          })
          .finally(() => inflight.current.delete(v));
        one.catch(() => undefined); // the batch's failure is reported once, by `show`
        inflight.current.set(v, one);
      });
      await request.catch(() => undefined);
      while (states.size > CACHE_SIZE) {
        const oldest = states.keys().next().value;
        if (oldest === undefined) break;
        states.delete(oldest);
      }
    },
    [system, policy],
  );

  // The page comes with the state at its position only: fetch the step before for the highlights.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, for the position the page opened at
  useEffect(() => {
    if (withPreviousStep && initial.previous === null && initial.at > 0) show(initial.at);
  }, []);

  return { shown, error, loading, show, has, prefetch };
}
