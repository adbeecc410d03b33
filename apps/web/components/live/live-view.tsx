'use client';

import { createClient } from 'graphql-ws';
import { useEffect, useMemo, useRef, useState } from 'react';
import { StatePanels } from '@/components/state/state-panels';
import type { ApiEvent } from '@/lib/ledger/api-types';
import { toLedgerEvent } from '@/lib/ledger/mappers';
import { eventAppendedSubscription } from '@/lib/ledger/subscriptions';
import type { LedgerEvent, LedgerState } from '@/lib/ledger/types';
import { toStateView } from '@/lib/replay/state-view';
import { describeEvent } from '@/lib/replay/timeline';

type Status = 'connecting' | 'live' | 'reconnecting' | 'closed';
const FEED_SIZE = 300;
const STATE_REFRESH_MS = 150;

/** Follows a system as events are appended: the feed, and the latest state refreshed as inputs arrive. */
export function LiveView({
  system,
  wsUrl,
  initialState,
  after,
}: {
  system: string;
  wsUrl: string;
  initialState: LedgerState;
  /** Position of the last event in `initialState`; null to take every event of the system. */
  after: number | null;
}) {
  const [status, setStatus] = useState<Status>('connecting');
  const [feed, setFeed] = useState<LedgerEvent[]>([]);
  const [received, setReceived] = useState(0);
  const [pair, setPair] = useState<{ state: LedgerState; previous: LedgerState | null }>({
    state: initialState,
    previous: null,
  });
  const [error, setError] = useState<string | null>(null);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latestVersion = useRef(initialState.version);

  useEffect(() => {
    const refresh = () => {
      if (refreshTimer.current) return;
      refreshTimer.current = setTimeout(async () => {
        refreshTimer.current = null;
        try {
          const res = await fetch(
            `/api/systems/${encodeURIComponent(system)}/state?at=${latestVersion.current}&hazards=1`,
          );
          const body = (await res.json()) as { state?: LedgerState; error?: string };
          if (!res.ok || !body.state) throw new Error(body.error ?? `HTTP ${res.status}`);
          const state = body.state;
          // Highlight what changed since the state shown before (one or several steps).
          setPair((before) => ({ state, previous: before.state }));
        } catch (e) {
          setError(e instanceof Error ? e.message : String(e));
        }
      }, STATE_REFRESH_MS);
    };
    const client = createClient({
      url: wsUrl,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      on: {
        connected: () => setStatus('live'),
        closed: () => setStatus((s) => (s === 'live' ? 'reconnecting' : s)),
      },
    });
    let lastPosition: number | undefined = after ?? undefined;
    let disposed = false;
    const subscribe = () =>
      client.subscribe<{ eventAppended: ApiEvent }>(
        { query: eventAppendedSubscription, variables: { system, after: lastPosition } },
        {
          next: (result) => {
            if (result.errors?.[0]) {
              setError(result.errors[0].message);
              return;
            }
            const raw = result.data?.eventAppended;
            if (!raw) return;
            const event = toLedgerEvent(raw);
            // After a reconnect the subscription replays from where it started: skip what we have.
            if (lastPosition !== undefined && event.position <= lastPosition) return;
            lastPosition = event.position;
            setReceived((n) => n + 1);
            setFeed((f) => [event, ...f].slice(0, FEED_SIZE));
            if (event.version > latestVersion.current) latestVersion.current = event.version;
            refresh();
          },
          error: (e) => {
            setError(e instanceof Error ? e.message : 'the subscription failed');
            setStatus('closed');
          },
          complete: () => {
            if (!disposed) setStatus('closed');
          },
        },
      );
    const unsubscribe = subscribe();
    return () => {
      disposed = true;
      unsubscribe();
      void client.dispose();
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    };
  }, [system, wsUrl, after]);

  const view = useMemo(() => toStateView(pair.state, pair.previous), [pair]);
  return (
    <div className="replay" data-testid="live">
      <div className="replay-side">
        <section className="panel">
          <div className="panel-title">
            <h2>Live</h2>
            <span
              className={`badge ${status === 'live' ? 'ok' : status === 'closed' ? 'hazard' : 'none'}`}
              data-testid="live-status"
            >
              {status}
            </span>
          </div>
          <div className="stats">
            <div className="stat">
              <span className="value" data-testid="live-version">
                {pair.state.version}
              </span>
              <span className="label">input events</span>
            </div>
            <div className="stat">
              <span className="value" data-testid="live-received">
                {received}
              </span>
              <span className="label">events received</span>
            </div>
            <div className="stat">
              <span className="value">{view.counts.pasids}</span>
              <span className="label">PASIDs</span>
            </div>
            <div className="stat">
              <span className="value">{view.counts.hazards}</span>
              <span className="label">hazards</span>
            </div>
          </div>
          {error ? <div className="error-box small">{error}</div> : null}
        </section>
        <section className="panel live-feed" data-testid="live-feed">
          <h2>Arriving events</h2>
          {feed.length === 0 ? (
            <div className="empty small">Waiting for events… record some through the API.</div>
          ) : null}
          <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {feed.map((e) => (
              <li
                key={e.position}
                className={e.type === 'HazardDetected' ? 'hazard-text' : undefined}
                style={{ paddingLeft: e.kind === 'DERIVED' ? '1.2em' : 0 }}
              >
                <span className="muted mono">#{e.position}</span> <span className="muted">v{e.version}</span>{' '}
                {e.kind === 'INPUT' ? <strong>{e.type}</strong> : '↳'} {describeEvent(e.type, e.data)}
              </li>
            ))}
          </ul>
        </section>
      </div>
      <div>
        <h2 data-testid="state-heading">Latest state (after event {pair.state.version})</h2>
        <StatePanels view={view} />
      </div>
    </div>
  );
}
