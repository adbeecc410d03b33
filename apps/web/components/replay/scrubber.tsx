'use client';

import { useMemo } from 'react';
import type { HazardEntry } from '@/lib/ledger/types';
import { hazardDensity } from '@/lib/replay/hazard-density';

/** A range over 0..max with the hazards' density (and a divergence mark) along its track. */
export function Scrubber({
  value,
  max,
  hazards,
  divergence,
  onScrub,
}: {
  value: number;
  max: number;
  hazards: readonly HazardEntry[];
  divergence?: number | null;
  onScrub: (value: number) => void;
}) {
  const pct = (v: number) => (max === 0 ? 0 : (v / max) * 100);
  const buckets = useMemo(
    () =>
      hazardDensity(
        hazards.map((h) => h.event),
        max,
      ),
    [hazards, max],
  );
  const slots = Math.max(1, Math.min(160, max + 1));
  return (
    <div className="scrubber">
      <div className="marks" data-testid="hazard-density" data-total={hazards.length}>
        {buckets.map((b) => (
          <span
            key={b.from}
            className="mark"
            data-count={b.count}
            title={`${b.count} hazard${b.count === 1 ? '' : 's'} in ${b.from === b.to ? `event ${b.from}` : `events ${b.from}–${b.to}`}`}
            style={{
              left: `${pct(b.from)}%`,
              width: `max(2px, min(6px, calc(${100 / slots}% - 1px)))`,
              height: `${Math.max(20, Math.round(b.height * 100))}%`,
            }}
          />
        ))}
        {divergence !== undefined && divergence !== null ? (
          <span
            className="mark divergence"
            data-testid="divergence-mark"
            data-version={divergence}
            style={{ left: `${pct(divergence)}%`, height: '100%' }}
            title={`the policies diverge at input ${divergence}`}
          />
        ) : null}
      </div>
      <input
        type="range"
        min={0}
        max={max}
        step={1}
        value={value}
        aria-label="Position in the history"
        data-testid="scrubber"
        onChange={(e) => onScrub(Number(e.currentTarget.value))}
      />
    </div>
  );
}
