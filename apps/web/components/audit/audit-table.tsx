'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { filterToParams } from '@/lib/ledger/filter-params';
import type { LogPosition } from '@/lib/ledger/log-position';
import type { EventFilter, EventPage, LedgerEvent } from '@/lib/ledger/types';

const COLUMNS = [
  'Position',
  'System',
  'Version',
  'Index',
  'Kind',
  'Type',
  'Actor',
  'Correlation',
  'Causation',
  'Recorded',
  'Observed',
  'Data',
  'Hash',
];

const short = (id: string | null) => (id ? id.slice(0, 8) : '–');

/** The log with all its metadata; scrolls through any number of events, loading pages as it goes. */
export function AuditTable({ filter, initial }: { filter: EventFilter; initial: EventPage }) {
  const [events, setEvents] = useState<LedgerEvent[]>(initial.events);
  const [cursor, setCursor] = useState<{ after: LogPosition | null; more: boolean }>({
    after: initial.endCursor,
    more: initial.hasNextPage,
  });
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => parent.current,
    estimateSize: () => 27,
    overscan: 20,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (!cursor.more || loading.current || lastIndex < events.length - 50) return;
    loading.current = true;
    const params = filterToParams(filter);
    if (cursor.after !== null) params.set('after', cursor.after);
    fetch(`/api/events?${params}`)
      .then(async (res) => {
        const body = (await res.json()) as EventPage & { error?: string };
        if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
        setEvents((e) => [...e, ...body.events]);
        setCursor({ after: body.endCursor, more: body.hasNextPage });
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => {
        loading.current = false;
      });
  }, [cursor, events.length, filter, lastIndex]);

  return (
    <section className="panel">
      <div className="panel-title">
        <h2>Events</h2>
        <span className="count" data-testid="audit-count">
          {events.length.toLocaleString('en')}
          {cursor.more ? '+' : ''} shown
        </span>
      </div>
      {error ? <div className="error-box small">{error}</div> : null}
      {events.length === 0 ? (
        <div className="empty" data-testid="audit-empty">
          No event matches this filter.
        </div>
      ) : (
        <div
          ref={parent}
          className="audit-table"
          data-testid="audit-table"
          // As tall as the rows need, at most the window: a short log leaves no empty box.
          style={{ height: `min(calc(100vh - 330px), ${virtualizer.getTotalSize() + 40}px)`, minHeight: 0 }}
        >
          <div className="audit-scroll">
            <div className="audit-head">
              {COLUMNS.map((c) => (
                <span key={c}>{c}</span>
              ))}
            </div>
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {items.map((item) => {
                const e = events[item.index]!;
                return (
                  <div
                    key={e.position}
                    className="audit-row"
                    data-position={e.position}
                    style={{
                      position: 'absolute',
                      top: 0,
                      left: 0,
                      right: 0,
                      transform: `translateY(${item.start}px)`,
                    }}
                  >
                    <span className="mono">{e.position}</span>
                    <span title={e.system}>{e.system}</span>
                    <span>
                      <a
                        href={`/systems/${encodeURIComponent(e.system)}/events/${e.version}`}
                        title="this step's events in detail"
                        data-testid="audit-event-link"
                      >
                        {e.version}
                      </a>{' '}
                      <a
                        className="small"
                        href={`/systems/${encodeURIComponent(e.system)}?at=${e.version}`}
                        title="open the replay at this step"
                      >
                        ▶
                      </a>
                    </span>
                    <span>{e.index}</span>
                    <span>{e.kind === 'INPUT' ? 'input' : 'derived'}</span>
                    <span className={e.type === 'HazardDetected' ? 'hazard-text' : undefined}>{e.type}</span>
                    <span title={e.actor ?? ''}>{e.actor ?? '–'}</span>
                    <span className="mono" title={e.correlationId ?? ''}>
                      {short(e.correlationId)}
                    </span>
                    <span className="mono" title={e.causationId ?? ''}>
                      {short(e.causationId)}
                    </span>
                    <span className="mono">{e.recordedAt.replace('T', ' ').slice(0, 23)}</span>
                    <span className="mono">
                      {e.observedAt ? e.observedAt.replace('T', ' ').slice(0, 23) : '–'}
                    </span>
                    <span className="mono" title={JSON.stringify(e.data)}>
                      {JSON.stringify(e.data)}
                    </span>
                    <span className="mono" title={e.hash}>
                      {e.hash.slice(0, 10)}
                    </span>
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
