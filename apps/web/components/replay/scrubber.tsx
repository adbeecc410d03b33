'use client';

import { useMemo } from 'react';

/** A range over 0..max with hazard (and divergence) marks on its track. */
export function Scrubber({
  value,
  max,
  hazardVersions,
  divergence,
  onScrub,
}: {
  value: number;
  max: number;
  hazardVersions: number[];
  divergence?: number | null;
  onScrub: (value: number) => void;
}) {
  const pct = (v: number) => (max === 0 ? 0 : (v / max) * 100);
  // A 100,000-event history may have thousands of hazards: a mark per quarter percent is enough.
  const marks = useMemo(
    () => [...new Set(hazardVersions.map((v) => Math.round((max === 0 ? 0 : v / max) * 400)))],
    [hazardVersions, max],
  );
  return (
    <div className="scrubber">
      <div className="marks" aria-hidden="true">
        {marks.map((m) => (
          <span key={m} className="mark" style={{ left: `${m / 4}%` }} />
        ))}
        {divergence !== undefined && divergence !== null ? (
          <span
            className="mark divergence"
            style={{ left: `${pct(divergence)}%` }}
            title={`diverges at ${divergence}`}
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
