'use client';

import { useCallback, useRef, useState } from 'react';
import { type TimelineEvent, type TimelineStep, toTimeline } from '@/lib/replay/timeline';

export const BLOCK = 50;

/**
 * The timeline's steps, loaded a block of BLOCK versions at a time as the list scrolls to them,
 * so a 100,000-event history costs the browser only what is on screen.
 */
export function useTimelineBlocks(system: string, version: number, initial: TimelineEvent[]) {
  const steps = useRef(new Map<number, TimelineStep>());
  const requested = useRef(new Set<number>());
  const [, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);

  if (steps.current.size === 0 && initial.length > 0) {
    for (const step of toTimeline(initial)) steps.current.set(step.version, step);
    for (const step of steps.current.keys()) requested.current.add(Math.floor((step - 1) / BLOCK));
  }

  const ensure = useCallback(
    (fromVersion: number, toVersion: number) => {
      const first = Math.floor((Math.max(fromVersion, 1) - 1) / BLOCK);
      const last = Math.floor((Math.min(toVersion, version) - 1) / BLOCK);
      // Consecutive missing blocks go in one request.
      for (let block = first; block <= last; block++) {
        if (requested.current.has(block)) continue;
        let end = block;
        while (end + 1 <= last && !requested.current.has(end + 1)) end++;
        for (let b = block; b <= end; b++) requested.current.add(b);
        const from = block * BLOCK + 1;
        const to = Math.min(version, (end + 1) * BLOCK);
        const blocks = { first: block, last: end };
        block = end;
        fetch(`/api/systems/${encodeURIComponent(system)}/stream?from=${from}&to=${to}`)
          .then(async (res) => {
            const body = (await res.json()) as { events?: TimelineEvent[]; error?: string };
            if (!res.ok || !body.events) throw new Error(body.error ?? `HTTP ${res.status}`);
            for (const step of toTimeline(body.events)) steps.current.set(step.version, step);
            setTick((t) => t + 1);
          })
          .catch((e: unknown) => {
            for (let b = blocks.first; b <= blocks.last; b++) requested.current.delete(b);
            setError(e instanceof Error ? e.message : String(e));
          });
      }
    },
    [system, version],
  );

  return { steps: steps.current, ensure, error };
}
