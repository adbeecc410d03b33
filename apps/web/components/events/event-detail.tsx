import Link from 'next/link';
import type { LedgerEvent } from '@/lib/ledger/types';
import { describeEvent } from '@/lib/replay/timeline';

/** One stored event: its metadata, what it says, and its raw JSON as the log holds it. */
function EventCard({ event, inputId }: { event: LedgerEvent; inputId: string | null }) {
  const raw = JSON.stringify(event, null, 2);
  return (
    <section
      className={`panel event-card ${event.type === 'HazardDetected' ? 'has-hazard' : ''}`}
      data-testid="event-card"
      data-kind={event.kind}
      data-type={event.type}
    >
      <div className="panel-title">
        <h2>
          {event.kind === 'INPUT' ? 'Input' : `Derived ${event.index}`}: {event.type}
        </h2>
        <span className="muted small">{describeEvent(event.type, event.data)}</span>
      </div>
      <table className="grid small meta">
        <tbody>
          <tr>
            <th>id</th>
            <td className="mono">{event.id}</td>
          </tr>
          <tr>
            <th>position · version · index</th>
            <td className="mono">
              {event.position} · {event.version} · {event.index}
            </td>
          </tr>
          <tr>
            <th>correlation (batch)</th>
            <td className="mono">
              {event.correlationId ? (
                <Link
                  href={`/audit?system=${encodeURIComponent(event.system)}&correlation=${event.correlationId}`}
                  title="every event of this batch in the audit log"
                >
                  {event.correlationId}
                </Link>
              ) : (
                '–'
              )}
            </td>
          </tr>
          <tr>
            <th>causation</th>
            <td className="mono" data-testid="causation">
              {event.causationId ?? '–'}
              {event.causationId && event.causationId === inputId ? (
                <span className="muted"> (the input above)</span>
              ) : null}
            </td>
          </tr>
          <tr>
            <th>actor</th>
            <td>{event.actor ?? '–'}</td>
          </tr>
          <tr>
            <th>recorded · observed</th>
            <td className="mono">
              {event.recordedAt} · {event.observedAt ?? '–'}
            </td>
          </tr>
          <tr>
            <th>hash</th>
            <td className="mono">{event.hash}</td>
          </tr>
        </tbody>
      </table>
      <details open={event.kind === 'INPUT'}>
        <summary className="small">raw JSON</summary>
        <pre className="mono small code-block" data-testid="raw-json">
          {raw}
        </pre>
      </details>
    </section>
  );
}

export function EventDetail({
  system,
  version,
  last,
  input,
  derived,
}: {
  system: string;
  version: number;
  last: number;
  input: LedgerEvent;
  derived: LedgerEvent[];
}) {
  const base = `/systems/${encodeURIComponent(system)}`;
  return (
    <div className="stack" data-testid="event-detail">
      <div className="row">
        <h2 style={{ margin: 0 }}>Event {version.toLocaleString('en')}</h2>
        <Link className="button" href={`${base}?at=${version}`} data-testid="open-replay">
          Open in the replay at step {version}
        </Link>
        <Link
          className="button"
          href={`/audit?system=${encodeURIComponent(system)}&correlation=${input.correlationId ?? ''}`}
          data-testid="open-audit"
        >
          Its batch in the audit log
        </Link>
        {version > 1 ? <Link href={`${base}/events/${version - 1}`}>← event {version - 1}</Link> : null}
        {version < last ? <Link href={`${base}/events/${version + 1}`}>event {version + 1} →</Link> : null}
      </div>
      <EventCard event={input} inputId={null} />
      <h3 style={{ margin: 0 }}>
        {derived.length === 0 ? 'Nothing derived from it' : `Derived from it (${derived.length})`}
      </h3>
      {derived.map((d) => (
        <EventCard key={d.id} event={d} inputId={input.id} />
      ))}
    </div>
  );
}
