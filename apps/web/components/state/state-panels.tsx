import { memo } from 'react';
import type { StateView } from '@/lib/replay/state-view';
import { EntriesPanel } from './entries-panel';
import { HazardsPanel } from './hazards-panel';
import { PasidTable } from './pasid-table';
import { ProcessesPanel } from './processes-panel';

/**
 * The whole state at one step, each change since the previous step highlighted (or, in the
 * compare view, each difference from the other policy: `view.against`). Memoized: while the
 * scrubber moves, the panels redraw only when a new state arrives.
 */
export const StatePanels = memo(function StatePanels({
  view,
  onJump,
  maxPasid,
}: {
  view: StateView;
  onJump?: (version: number) => void;
  maxPasid?: number;
}) {
  return (
    <div className="state-grid" data-testid="state" data-version={view.version}>
      <PasidTable
        rows={view.pasids}
        showCount={view.policy === 'LAZY_REFCOUNT'}
        maxPasid={maxPasid}
        against={view.against}
      />
      <EntriesPanel rows={view.entries} against={view.against} />
      <ProcessesPanel rows={view.processes} taskCount={view.counts.tasks} against={view.against} />
      <HazardsPanel hazards={view.hazards} freed={view.freed} onJump={onJump} against={view.against} />
    </div>
  );
});
