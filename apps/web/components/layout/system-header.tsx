import type { SystemSummary } from '@/lib/ledger';
import { SystemCounts } from './system-summary';
import { SystemTabs } from './system-tabs';

/** Inside a SystemSummaryProvider: the counts follow the live view. */
export function SystemHeader({ system }: { system: SystemSummary }) {
  return (
    <>
      <div className="system-header">
        <h1 data-testid="system-name">{system.name}</h1>
        <code>{system.policy}</code>
        <SystemCounts />
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
