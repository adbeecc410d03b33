import type { Policy } from '@/lib/ledger/types';
import type { PasidRow } from '@/lib/replay/state-view';
import { changeClass, changeTitle } from './change';

export function PasidTable({
  rows,
  showCount,
  maxPasid,
  against = null,
}: {
  rows: PasidRow[];
  showCount: boolean;
  /** The policy the rows are marked against (the compare view); null: the step before. */
  against?: Policy | null;
  /** The system's pool: values 1 to maxPasid - 1. */
  maxPasid?: number;
}) {
  const live = rows.filter((r) => r.change !== 'removed').length;
  return (
    <section className="panel" data-testid="pasid-table">
      <div className="panel-title">
        <h2>PASIDs</h2>
        <span className="count" data-testid="pool-usage">
          {live.toLocaleString('en')} allocated
          {maxPasid !== undefined
            ? ` of ${(maxPasid - 1).toLocaleString('en')} (${formatShare(live, maxPasid - 1)} of the pool)`
            : ''}
        </span>
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
              <th title="the holder's bonds and the tasks whose IA32_PASID MSR holds this value">Made of</th>
              <th>Devices (table entries)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.key}
                className={changeClass(r.change)}
                title={changeTitle(r.change, against)}
                data-pasid={r.pasid}
                data-released={r.released ? 'true' : 'false'}
              >
                <td className="pasid-value">{r.pasid}</td>
                <td
                  className={r.changed.has('pid') || r.changed.has('released') ? 'cell-changed' : undefined}
                >
                  pid {r.pid}
                  {r.released ? (
                    <>
                      {' '}
                      <span
                        className="badge released"
                        data-testid="released"
                        title="the holder's mm is released (no live task uses it) but open files still hold it, so the PASID stays allocated"
                      >
                        released
                      </span>
                    </>
                  ) : null}
                </td>
                {showCount ? (
                  <td
                    className={r.changed.has('refcount') ? 'cell-changed' : undefined}
                    data-testid="refcount"
                  >
                    {r.previousRefcount !== null ? <span className="was">{r.previousRefcount}</span> : null}
                    {r.refcount ?? '–'}
                  </td>
                ) : null}
                <td className="small" data-testid="count-parts">
                  <CountParts row={r} />
                </td>
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

const formatShare = (n: number, of: number) => {
  const share = (n / of) * 100;
  return share === 0 ? '0%' : share < 0.01 ? '<0.01%' : `${share.toFixed(share < 1 ? 2 : 1)}%`;
};

/** The facts behind a count: the holder's bonds per device, and which tasks carry the value in their MSR. */
function CountParts({ row }: { row: PasidRow }) {
  if (row.change === 'removed') return <span className="muted">freed</span>;
  if (row.released) {
    // No live task uses the mm: what keeps it (and its PASID) is the open files bound to it.
    const n = row.heldBy.length;
    return (
      <span className="count-parts">
        <span>
          held by {n} open file{n === 1 ? '' : 's'}
          {n > 0 ? ': ' : ''}
          {row.heldBy.map((f, i) => (
            <span key={`${f.pid}:${f.fd}`}>
              {i > 0 ? ', ' : ''}fd {f.fd} of pid {f.pid}
            </span>
          ))}
        </span>
      </span>
    );
  }
  const bonds = row.bonds.reduce((n, b) => n + b.count, 0);
  return (
    <span className="count-parts">
      <span>
        {bonds} bond{bonds === 1 ? '' : 's'}
        {row.bonds.length > 0 ? ': ' : ''}
        {row.bonds.map((b, i) => (
          <span key={b.device}>
            {i > 0 ? ', ' : ''}
            <span className="device">{b.device}</span> ×{b.count}
          </span>
        ))}
      </span>
      <span>
        {row.msrTasks.length} MSR{row.msrTasks.length === 1 ? '' : 's'}
        {row.msrTasks.length > 0 ? ': ' : ''}
        {row.msrTasks.map((t, i) => (
          <span key={t.tid} className={t.pid === row.pid ? undefined : 'hazard-text'}>
            {i > 0 ? ', ' : ''}tid {t.tid}
            {t.pid === row.pid ? '' : ` (pid ${t.pid})`}
          </span>
        ))}
      </span>
    </span>
  );
}
