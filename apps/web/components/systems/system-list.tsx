import Link from 'next/link';
import type { SystemSummary } from '@/lib/ledger';
import { HazardBadge } from './hazard-badge';

export function SystemList({ systems }: { systems: SystemSummary[] }) {
  if (systems.length === 0) {
    return (
      <div className="empty" data-testid="systems-empty">
        No system yet. Import a history file to start, or record events through the API: each system's live
        page shows an example request.
      </div>
    );
  }
  return (
    <table className="grid" data-testid="systems">
      <thead>
        <tr>
          <th>System</th>
          <th>Policy</th>
          <th>Inputs</th>
          <th>Events</th>
          <th>Live PASIDs</th>
          <th>Hazards</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {systems.map((s) => {
          const href = `/systems/${encodeURIComponent(s.name)}`;
          return (
            <tr key={s.name} data-system={s.name}>
              <td className="nowrap">
                <Link href={href}>
                  <strong>{s.name}</strong>
                </Link>
              </td>
              <td>
                <code>{s.policy}</code>
              </td>
              <td>{s.version.toLocaleString('en')}</td>
              <td>{s.eventCount.toLocaleString('en')}</td>
              <td>{s.pasidCount.toLocaleString('en')}</td>
              <td>
                <HazardBadge count={s.hazardCount} />
              </td>
              <td className="nowrap">
                <Link href={`${href}/charts`}>charts</Link> · <Link href={`${href}/compare`}>compare</Link> ·{' '}
                <Link href={`${href}/live`}>live</Link> ·{' '}
                <a href={`${href}/export`} download={`${s.name}.jsonl`}>
                  export
                </a>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
