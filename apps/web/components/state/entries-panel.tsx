import type { Policy } from '@/lib/ledger/types';
import type { EntryRow } from '@/lib/replay/state-view';
import { changeClass, changeTitle } from './change';

export function EntriesPanel({ rows, against = null }: { rows: EntryRow[]; against?: Policy | null }) {
  const live = rows.filter((r) => r.change !== 'removed').length;
  return (
    <section className="panel" data-testid="entries">
      <div className="panel-title">
        <h2>PASID table entries</h2>
        <span className="count">{live} present</span>
      </div>
      {rows.length === 0 ? (
        <div className="empty small">The IOMMU holds no entry.</div>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Device</th>
              <th>PASID</th>
              <th>Holder</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.key} className={changeClass(e.change)} title={changeTitle(e.change, against)}>
                <td className="device">{e.device}</td>
                <td className="pasid-value">{e.pasid}</td>
                <td className={e.change === 'changed' ? 'cell-changed' : undefined}>pid {e.pid}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
