import type { ProcessRow } from '@/lib/replay/state-view';
import { changeClass, changeTitle } from './change';

export function ProcessesPanel({ rows, taskCount }: { rows: ProcessRow[]; taskCount: number }) {
  const live = rows.filter((r) => r.change !== 'removed').length;
  return (
    <section className="panel" data-testid="processes">
      <div className="panel-title">
        <h2>Processes and tasks</h2>
        <span className="count">
          {live} process{live === 1 ? '' : 'es'}, {taskCount} task{taskCount === 1 ? '' : 's'}
        </span>
      </div>
      {rows.length === 0 ? <div className="empty small">No live process.</div> : null}
      {rows.map((p) => (
        <div
          key={p.key}
          className={`process-card ${changeClass(p.change) ?? ''}`}
          title={changeTitle(p.change)}
          data-pid={p.pid}
        >
          <div className="row">
            <strong>pid {p.pid}</strong>
            {p.parent !== null ? <span className="muted small">child of {p.parent}</span> : null}
            <span className="muted small">mm PASID</span>
            {p.pasid !== null ? (
              <span className="pasid-value">{p.pasid}</span>
            ) : (
              <span className="badge none">none</span>
            )}
          </div>
          {p.bonds !== null ? (
            <div className="row small">
              <span className="muted">bonds</span>
              {p.bonds.length === 0 ? <span className="muted">none</span> : null}
              {p.bonds.map((b) => (
                <span
                  key={b.device}
                  className={`device ${changeClass(b.change) ?? ''}`}
                  title={changeTitle(b.change)}
                >
                  {b.device} ×{b.count}
                </span>
              ))}
            </div>
          ) : null}
          <table className="grid tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>IA32_PASID MSR</th>
              </tr>
            </thead>
            <tbody>
              {p.tasks.map((t) => (
                <tr
                  key={t.key}
                  className={changeClass(t.change)}
                  title={changeTitle(t.change)}
                  data-tid={t.tid}
                >
                  <td>tid {t.tid}</td>
                  <td className={t.change === 'changed' ? 'cell-changed' : undefined}>
                    {t.change === 'changed' ? (
                      <span className="was">{t.previousMsr ?? 'invalid'}</span>
                    ) : null}
                    {t.msr === null ? (
                      <span className="badge none">invalid</span>
                    ) : (
                      <span className="pasid-value">{t.msr}</span>
                    )}
                    {t.stale ? (
                      <span className="badge stale" title="the MSR holds a PASID its process does not hold">
                        stale
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
