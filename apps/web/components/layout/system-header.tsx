import type { SystemSummary } from '@/lib/ledger';
import { HazardBadge } from '../systems/hazard-badge';
import { SystemTabs } from './system-tabs';

export function SystemHeader({ system }: { system: SystemSummary }) {
  return (
    <>
      <div className="system-header">
        <h1 data-testid="system-name">{system.name}</h1>
        <code>{system.policy}</code>
        <span className="muted">
          {system.version.toLocaleString('en')} input events · {system.eventCount.toLocaleString('en')} stored
          · {system.pasidCount} live PASID{system.pasidCount === 1 ? '' : 's'}
        </span>
        <HazardBadge count={system.hazardCount} />
        <a
          className="button"
          href={`/systems/${encodeURIComponent(system.name)}/export`}
          download={`${system.name}.jsonl`}
        >
          Export
        </a>
      </div>
      <SystemTabs name={system.name} />
    </>
  );
}
