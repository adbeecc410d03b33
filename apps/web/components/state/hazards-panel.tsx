import type { HazardRow } from '@/lib/replay/state-view';

/** The most recent hazards shown; a long history has thousands. */
const SHOWN = 30;

export function HazardsPanel({
  hazards,
  freed,
  onJump,
}: {
  hazards: HazardRow[];
  freed: { pasid: number; isNew: boolean }[];
  onJump?: (version: number) => void;
}) {
  return (
    <section className="panel" data-testid="hazards">
      <div className="panel-title">
        <h2>Hazards so far</h2>
        <span className="count">{hazards.length}</span>
      </div>
      {hazards.length === 0 ? <div className="empty small">No hazard up to this step.</div> : null}
      {hazards.length > SHOWN ? (
        <p className="muted small" style={{ margin: '0 0 0.3rem' }}>
          the last {SHOWN}, after {(hazards.length - SHOWN).toLocaleString('en')} earlier ones
        </p>
      ) : null}
      <ul className="stack" style={{ gap: '0.25rem', margin: 0, paddingLeft: 0, listStyle: 'none' }}>
        {hazards.slice(-SHOWN).map((h) => (
          <li
            key={h.key}
            className={h.isNew ? 'change-added' : undefined}
            data-hazard={h.code}
            data-event={h.event}
          >
            <span className="badge hazard">{h.code}</span>{' '}
            {onJump ? (
              <button
                type="button"
                className="small"
                onClick={() => onJump(h.event)}
                style={{ padding: '0 0.3rem' }}
              >
                event {h.event}
              </button>
            ) : (
              <span>event {h.event}</span>
            )}{' '}
            <span className="small">
              {h.tid !== null ? `tid ${h.tid} ` : ''}
              {h.pid !== null ? `pid ${h.pid} ` : ''}
              {h.device !== null ? <span className="device">{h.device} </span> : null}
              {h.pasid !== null ? `PASID ${h.pasid}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <h3 style={{ marginTop: '0.8rem' }}>Freed PASIDs</h3>
      <div className="row small" data-testid="freed">
        {freed.length === 0 ? <span className="muted">none</span> : null}
        {freed.length > SHOWN ? (
          <span className="muted">…{(freed.length - SHOWN).toLocaleString('en')} earlier,</span>
        ) : null}
        {freed.slice(-SHOWN).map((f, i) => (
          // A value may be freed more than once: the position is part of the key.
          // biome-ignore lint/suspicious/noArrayIndexKey: order is the identity here
          <span key={i} className={`pasid-value ${f.isNew ? 'change-added' : ''}`}>
            {f.pasid}
          </span>
        ))}
      </div>
    </section>
  );
}
