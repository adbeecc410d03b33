'use client';

import { createContext, type ReactNode, useContext, useState } from 'react';
import type { SystemSummary } from '@/lib/ledger/types';
import { HazardBadge } from '../systems/hazard-badge';

type Counts = Pick<SystemSummary, 'version' | 'eventCount' | 'pasidCount' | 'hazardCount'>;

/**
 * The system's counts shown in its header. The server renders them with the page; the live view
 * updates them as events arrive, so the header never disagrees with the body below it.
 */
const SummaryContext = createContext<{ counts: Counts; update: (counts: Counts) => void } | null>(null);

export function SystemSummaryProvider({ initial, children }: { initial: Counts; children: ReactNode }) {
  const [counts, update] = useState(initial);
  return <SummaryContext.Provider value={{ counts, update }}>{children}</SummaryContext.Provider>;
}

/** Replaces the header's counts (the live view, with what it has just received). */
export function useUpdateSystemSummary(): (counts: Counts) => void {
  return useContext(SummaryContext)?.update ?? (() => {});
}

export function SystemCounts() {
  const counts = useContext(SummaryContext)?.counts;
  if (!counts) return null;
  return (
    <>
      <span className="muted" data-testid="system-counts">
        <span data-testid="header-version">{counts.version.toLocaleString('en')}</span> input events ·{' '}
        {counts.eventCount.toLocaleString('en')} stored · {counts.pasidCount} live PASID
        {counts.pasidCount === 1 ? '' : 's'}
      </span>
      <HazardBadge count={counts.hazardCount} />
    </>
  );
}
