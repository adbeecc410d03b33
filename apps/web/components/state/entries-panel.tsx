import type { EntryRow } from '@/lib/replay/state-view';
import { changeClass, changeTitle } from './change';

export function EntriesPanel({ rows }: { rows: EntryRow[] }) {
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
              <tr key={e.key} className={changeClass(e.change)} title={changeTitle(e.change)}>
                <td className="device">{e.device}</td>
                <td className="pasid-value">{e.pasid}</td>
                <td>pid {e.pid}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
