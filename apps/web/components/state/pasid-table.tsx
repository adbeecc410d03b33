import type { PasidRow } from '@/lib/replay/state-view';
import { changeClass, changeTitle } from './change';

export function PasidTable({ rows, showCount }: { rows: PasidRow[]; showCount: boolean }) {
  const live = rows.filter((r) => r.change !== 'removed').length;
  return (
    <section className="panel" data-testid="pasid-table">
      <div className="panel-title">
        <h2>PASIDs</h2>
        <span className="count">{live} allocated</span>
      </div>
      {rows.length === 0 ? (
        <div className="empty small">No PASID allocated.</div>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>PASID</th>
              <th>Holder</th>
              {showCount ? <th>Count</th> : null}
              <th>Devices (table entries)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.key}
                className={changeClass(r.change)}
                title={changeTitle(r.change)}
                data-pasid={r.pasid}
              >
                <td className="pasid-value">{r.pasid}</td>
                <td className={r.changed.has('pid') ? 'cell-changed' : undefined}>pid {r.pid}</td>
                {showCount ? (
                  <td
                    className={r.changed.has('refcount') ? 'cell-changed' : undefined}
                    data-testid="refcount"
                  >
                    {r.previousRefcount !== null ? <span className="was">{r.previousRefcount}</span> : null}
                    {r.refcount ?? '–'}
                  </td>
                ) : null}
                <td className={r.changed.has('devices') ? 'cell-changed' : undefined}>
                  <span className="device-list">
                    {r.devices.length === 0 ? <span className="muted">none</span> : null}
                    {r.devices.map((d) => (
                      <span key={d} className="device">
                        {d}
                      </span>
                    ))}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
