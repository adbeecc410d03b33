import Link from 'next/link';
import type { TraceConversionReport } from './import-source';

const FORMAT_NAMES: Record<string, string> = {
  'perf-script': 'perf script',
  'trace-cmd': 'trace-cmd report',
  tracefs: 'tracefs trace',
  bpftrace: 'pasid.bt (bpftrace)',
  'kernel-log': 'kernel log',
};

const byCount = (reasons: Record<string, number>) => Object.entries(reasons).sort((a, b) => b[1] - a[1]);

/**
 * What the conversion of a kernel trace read, used and left out (`pasid trace`'s report): a line
 * per file, its reasons by count, the first lines it skipped; then the replay's link once imported.
 */
export function TraceReportView({
  report,
  imported,
}: {
  report: TraceConversionReport;
  imported: { system: string; events: number } | null | undefined;
}) {
  return (
    <div className="stack" data-testid="trace-report">
      <h3>Trace converted</h3>
      {imported ? (
        <p data-testid="trace-imported">
          Imported {imported.events} events as <strong>{imported.system}</strong>.{' '}
          <Link href={`/systems/${encodeURIComponent(imported.system)}`} className="primary">
            Open the replay →
          </Link>
        </p>
      ) : null}
      {report.sources.map((source) => {
        const ignored = Object.values(source.ignored).reduce((a, b) => a + b, 0);
        const skipped = Object.values(source.skipped).reduce((a, b) => a + b, 0);
        return (
          <div key={source.name} data-testid="trace-source" data-format={source.kind}>
            <p>
              <strong>{source.name}</strong> read as {FORMAT_NAMES[source.kind] ?? source.kind}:{' '}
              <span data-testid="trace-counts">
                {source.lines} lines read, {source.used} used, {ignored} ignored, {skipped} skipped
              </span>
            </p>
            {skipped > 0 ? (
              <ul className="small" data-testid="trace-skipped">
                {byCount(source.skipped).map(([reason, n]) => (
                  <li key={reason}>
                    skipped {n}: {reason}
                  </li>
                ))}
              </ul>
            ) : null}
            {Object.keys(source.adjusted).length > 0 ? (
              <ul className="small" data-testid="trace-adjusted">
                {byCount(source.adjusted).map(([reason, n]) => (
                  <li key={reason}>
                    used with a change {n}: {reason}
                  </li>
                ))}
              </ul>
            ) : null}
            {ignored > 0 ? (
              <ul className="small muted" data-testid="trace-ignored">
                {byCount(source.ignored).map(([reason, n]) => (
                  <li key={reason}>
                    ignored {n}: {reason}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        );
      })}
      {report.examples.length > 0 ? (
        <ul className="small" data-testid="trace-examples">
          {report.examples.map((e) => (
            <li key={`${e.file}:${e.line}`}>
              {e.file} line {e.line}: {e.reason}
            </li>
          ))}
          {report.skipped > report.examples.length ? (
            <li>… and {report.skipped - report.examples.length} more skipped lines</li>
          ) : null}
        </ul>
      ) : null}
      {report.withoutAt > 0 ? (
        <p className="small muted">
          No boot time in the capture header: {report.withoutAt} events have no time of their own.
        </p>
      ) : null}
    </div>
  );
}
