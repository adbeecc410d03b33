import type { Policy } from '@/lib/ledger/types';
import type { FdRow, ProcessRow } from '@/lib/replay/state-view';
import { changeClass, changeTitle } from './change';

export function ProcessesPanel({
  rows,
  taskCount,
  against = null,
}: {
  rows: ProcessRow[];
  taskCount: number;
  /** The policy the rows are marked against (the compare view); null: the step before. */
  against?: Policy | null;
}) {
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
          title={changeTitle(p.change, against)}
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
                  title={changeTitle(b.change, against)}
                >
                  {b.device} ×{b.count}
                </span>
              ))}
            </div>
          ) : null}
          {p.files.length > 0 ? <FdTable pid={p.pid} rows={p.files} against={against} /> : null}
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
                  title={changeTitle(t.change, against)}
                  data-tid={t.tid}
                  data-activated={t.activated ? 'true' : 'false'}
                >
                  <td>tid {t.tid}</td>
                  <td className={t.change === 'changed' ? 'cell-changed' : undefined} data-testid="msr">
                    {t.change === 'changed' && against === null ? (
                      <span className="was">{t.previousMsr ?? 'invalid'}</span>
                    ) : null}
                    {t.msr === null ? (
                      <span className="badge none">invalid</span>
                    ) : (
                      <span className="pasid-value">{t.msr}</span>
                    )}
                    {t.change === 'changed' && against !== null ? (
                      <span className="other-side" data-testid="msr-other">
                        {against}: {t.previousMsr ?? 'invalid'}
                      </span>
                    ) : null}
                    {t.stale ? (
                      <span className="badge stale" title="the MSR holds a PASID that is not its mm's">
                        stale
                      </span>
                    ) : null}
                    {t.activated ? (
                      <span
                        className="badge activated"
                        title="the #GP fix-up has run in this task; the flag survives exec, so it never runs again here"
                      >
                        activated
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

/**
 * A process's fd table: each open file's device, the PASID its bond was made with, close-on-exec,
 * and where it came from. The bond belongs to the file, so an inherited fd is bound to the mm of
 * the process that opened it.
 */
function FdTable({ pid, rows, against }: { pid: number; rows: FdRow[]; against: Policy | null }) {
  return (
    <table className="grid fds" data-testid="fd-table" data-pid={pid}>
      <thead>
        <tr>
          <th>fd</th>
          <th>Device</th>
          <th>PASID</th>
          <th>cloexec</th>
          <th>Bond</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((f) => (
          <tr
            key={f.key}
            className={changeClass(f.change)}
            title={changeTitle(f.change, against)}
            data-fd={f.fd}
            data-holder={f.holder}
          >
            <td>fd {f.fd}</td>
            <td>
              <span className="device">{f.device}</span>
            </td>
            <td>
              <span className="pasid-value" data-testid="fd-pasid">
                {f.pasid}
              </span>
            </td>
            <td data-testid="fd-cloexec">{f.cloexec ? 'yes' : 'no'}</td>
            <td className="small">
              <span
                data-testid="fd-origin"
                className={f.inherited ? 'inherited' : undefined}
                title={
                  f.inherited
                    ? `copied at fork: pid ${f.holder} opened the file, and the file's bond is to pid ${f.holder}'s mm`
                    : undefined
                }
              >
                {f.inherited ? `inherited: bond to pid ${f.holder}’s mm` : 'opened here'}
              </span>
              {f.holderReleased ? (
                <>
                  {' '}
                  <span
                    className="badge released"
                    title="that mm has no live task any more; this file keeps it, and its PASID, allocated"
                  >
                    mm released
                  </span>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
