'use client';

import { useMemo, useState } from 'react';
import type { Policy } from '@/lib/ledger/types';
import type { HazardRow, StateView } from '@/lib/replay/state-view';

/** Hazards a page; pages count back from the most recent. */
const PAGE = 25;
const FREED_SHOWN = 40;

/** The hazards so far, filtered by code and paged; then the freed PASIDs with who held them and when. */
export function HazardsPanel({
  hazards,
  freed,
  onJump,
  against = null,
}: {
  hazards: HazardRow[];
  freed: StateView['freed'];
  onJump?: (version: number) => void;
  /** The policy the rows are marked against (the compare view); null: the step before. */
  against?: Policy | null;
}) {
  const onlyHere = against === null ? 'new at this step' : `only under this policy, not under ${against}`;
  const mark = (isNew: boolean) => (isNew ? { className: 'change-added', title: onlyHere } : {});
  const [code, setCode] = useState<string>('');
  /** 0 is the most recent page. */
  const [pageFromEnd, setPageFromEnd] = useState(0);
  const byCode = useMemo(() => {
    const counts = new Map<string, number>();
    for (const h of hazards) counts.set(h.code, (counts.get(h.code) ?? 0) + 1);
    return [...counts].sort((a, b) => a[0].localeCompare(b[0]));
  }, [hazards]);
  const shown = useMemo(() => (code ? hazards.filter((h) => h.code === code) : hazards), [hazards, code]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const page = Math.min(pageFromEnd, pages - 1);
  const end = shown.length - page * PAGE;
  const rows = shown.slice(Math.max(0, end - PAGE), end);
  const freedShown = freed.slice(-FREED_SHOWN);
  const jump = (version: number, label: string) =>
    onJump ? (
      <button type="button" className="small link-button" onClick={() => onJump(version)}>
        {label}
      </button>
    ) : (
      <span>{label}</span>
    );
  return (
    <section className="panel" data-testid="hazards">
      <div className="panel-title">
        <h2>Hazards so far</h2>
        <span className="count">{hazards.length.toLocaleString('en')}</span>
      </div>
      {hazards.length === 0 ? <div className="empty small">No hazard up to this step.</div> : null}
      {byCode.length > 0 ? (
        <div className="row small" style={{ marginBottom: '0.3rem' }}>
          <select
            aria-label="Hazard code"
            data-testid="hazard-code"
            value={code}
            onChange={(e) => {
              setCode(e.currentTarget.value);
              setPageFromEnd(0);
            }}
          >
            <option value="">every code ({hazards.length.toLocaleString('en')})</option>
            {byCode.map(([c, n]) => (
              <option key={c} value={c}>
                {c} ({n.toLocaleString('en')})
              </option>
            ))}
          </select>
          {pages > 1 ? (
            <span className="row" data-testid="hazard-pages">
              <button type="button" disabled={page >= pages - 1} onClick={() => setPageFromEnd(page + 1)}>
                ← earlier
              </button>
              <span className="muted">
                {(end - rows.length + 1).toLocaleString('en')}–{end.toLocaleString('en')} of{' '}
                {shown.length.toLocaleString('en')}
              </span>
              <button type="button" disabled={page === 0} onClick={() => setPageFromEnd(page - 1)}>
                later →
              </button>
            </span>
          ) : null}
        </div>
      ) : null}
      <ul className="stack" style={{ gap: '0.25rem', margin: 0, paddingLeft: 0, listStyle: 'none' }}>
        {rows.map((h) => (
          <li key={h.key} {...mark(h.isNew)} data-hazard={h.code} data-event={h.event}>
            <span className="badge hazard">{h.code}</span>
            {h.reason !== null ? (
              <>
                {' '}
                <span className="badge reason" data-testid="hazard-reason">
                  {h.reason}
                </span>
              </>
            ) : null}
            {h.observed ? (
              <>
                {' '}
                <span
                  className={`badge ${h.explained ? 'explained' : 'unexplained'}`}
                  data-testid="hazard-logged"
                >
                  logged, {h.explained ? 'explained' : 'unexplained'}
                </span>
              </>
            ) : null}{' '}
            {jump(h.event, `event ${h.event}`)}{' '}
            <span className="small">
              {h.tid !== null ? `tid ${h.tid} ` : ''}
              {h.pid !== null ? `pid ${h.pid} ` : ''}
              {h.device !== null ? <span className="device">{h.device} </span> : null}
              {h.pasid !== null ? `PASID ${h.pasid}` : ''}
            </span>
            <div className="small hazard-description" data-testid="hazard-description">
              {h.description}
            </div>
          </li>
        ))}
      </ul>
      <h3 style={{ marginTop: '0.8rem' }}>Freed PASIDs</h3>
      <div className="small" data-testid="freed">
        {freed.length === 0 ? <span className="muted">none</span> : null}
        {freed.length > FREED_SHOWN ? (
          <div className="muted">
            the last {FREED_SHOWN}, after {(freed.length - FREED_SHOWN).toLocaleString('en')} earlier
          </div>
        ) : null}
        <ul className="freed-list">
          {freedShown.map((f, i) => (
            // A value may be freed more than once: the position is part of the key.
            // biome-ignore lint/suspicious/noArrayIndexKey: order is the identity here
            <li key={i} {...mark(f.isNew)} data-freed={f.pasid}>
              <span className="pasid-value">{f.pasid}</span>
              {f.pid !== null ? <span> held by pid {f.pid}</span> : null}
              {f.event !== null ? <> · freed at {jump(f.event, `event ${f.event}`)}</> : null}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
