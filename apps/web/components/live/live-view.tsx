'use client';

import { createClient } from 'graphql-ws';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useUpdateSystemSummary } from '@/components/layout/system-summary';
import { StatePanels } from '@/components/state/state-panels';
import type {
  EventAppendedSubscription,
  SystemStateChangedSubscription,
} from '@/lib/ledger/generated/graphql';
import { comparePositions, type LogPosition } from '@/lib/ledger/log-position';
import { toLedgerEvent, toLedgerState } from '@/lib/ledger/mappers';
import { eventAppendedSubscription, systemStateChangedSubscription } from '@/lib/ledger/subscriptions';
import type { LedgerEvent, LedgerState } from '@/lib/ledger/types';
import { toStateView } from '@/lib/replay/state-view';
import { describeEvent } from '@/lib/replay/timeline';
import { resolveWsUrl, type WsTarget } from '@/lib/ws-target';
import { RecordExample } from './record-example';

type Status = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'refused';
const FEED_SIZE = 300;
/** graphql-ws's close code for a key the API refuses (none where reads need one, or revoked). */
const KEY_REFUSED = 4403;
const closeCode = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number'
    ? (e as { code: number }).code
    : undefined;

/**
 * Follows a system as events are appended: the feed (eventAppended, oldest first, so derived
 * events sit under their input) and the latest state (systemStateChanged, pushed by the API after
 * each input). The header's counts are updated from the same state, so they never disagree.
 */
export function LiveView({
  system,
  wsTarget,
  apiUrl,
  initialState,
  initialEventCount,
  maxPasid,
  after,
  signedIn,
}: {
  system: string;
  /** Resolved here, in the browser, against the page's own location. */
  wsTarget: WsTarget;
  /** The API's HTTP endpoint, for the example request. */
  apiUrl: string;
  initialState: LedgerState;
  initialEventCount: number;
  maxPasid: number;
  /** Position of the last event in `initialState`; null to take every event of the system. */
  after: LogPosition | null;
  /**
   * Whether a key is kept for this person. The socket carries it without this page seeing it: the
   * browser sends the httpOnly sign-in cookie with the upgrade and the API reads it there.
   */
  signedIn: boolean;
}) {
  const [status, setStatus] = useState<Status>('connecting');
  const [feed, setFeed] = useState<LedgerEvent[]>([]);
  const [received, setReceived] = useState(0);
  const [pair, setPair] = useState<{ state: LedgerState; previous: LedgerState | null }>({
    state: initialState,
    previous: null,
  });
  const [error, setError] = useState<string | null>(null);
  const updateSummary = useUpdateSystemSummary();
  const feedBox = useRef<HTMLDivElement>(null);
  const pinnedToEnd = useRef(true);

  useEffect(() => {
    const client = createClient({
      url: resolveWsUrl(wsTarget, window.location),
      retryAttempts: Number.POSITIVE_INFINITY,
      // A refused key stays refused: retrying would only knock again and again.
      shouldRetry: (e) => closeCode(e) !== KEY_REFUSED,
      on: {
        connected: () => setStatus('live'),
        closed: (e) => {
          if (closeCode(e) === KEY_REFUSED) {
            setStatus('refused');
            setError(
              signedIn
                ? 'The API refused your key (revoked?): sign in again to follow this system.'
                : 'The API needs a key to read: sign in to follow this system.',
            );
          } else setStatus((s) => (s === 'live' ? 'reconnecting' : s));
        },
      },
    });
    let lastPosition: LogPosition | undefined = after ?? undefined;
    let disposed = false;
    const failed = (e: unknown) => {
      if (closeCode(e) === KEY_REFUSED) return; // Said by `closed` above.
      setError(e instanceof Error ? e.message : 'the subscription failed');
      setStatus('closed');
    };
    const completed = () => {
      if (!disposed) setStatus('closed');
    };
    const stopEvents = client.subscribe<EventAppendedSubscription>(
      { query: eventAppendedSubscription.toString(), variables: { system, after: lastPosition } },
      {
        next: (result) => {
          if (result.errors?.[0]) return setError(result.errors[0].message);
          const raw = result.data?.eventAppended;
          if (!raw) return;
          const event = toLedgerEvent(raw);
          // After a reconnect the subscription replays from where it started: skip what we have.
          if (lastPosition !== undefined && comparePositions(event.position, lastPosition) <= 0) return;
          lastPosition = event.position;
          setReceived((n) => n + 1);
          setFeed((f) => (f.length >= FEED_SIZE ? [...f.slice(1 - FEED_SIZE), event] : [...f, event]));
        },
        error: failed,
        complete: completed,
      },
    );
    const stopState = client.subscribe<SystemStateChangedSubscription>(
      { query: systemStateChangedSubscription.toString(), variables: { system } },
      {
        next: (result) => {
          if (result.errors?.[0]) return setError(result.errors[0].message);
          const raw = result.data?.systemStateChanged;
          if (!raw) return;
          const state = toLedgerState(raw);
          // Highlight what changed since the state shown before (one or several steps).
          setPair((before) =>
            state.version === before.state.version ? before : { state, previous: before.state },
          );
        },
        error: failed,
        complete: completed,
      },
    );
    return () => {
      disposed = true;
      stopEvents();
      stopState();
      void client.dispose();
    };
  }, [system, wsTarget, after, signedIn]);

  const view = useMemo(() => toStateView(pair.state, pair.previous), [pair]);
  const eventCount = initialEventCount + received;
  useEffect(() => {
    updateSummary({
      version: pair.state.version,
      eventCount,
      pasidCount: view.counts.pasids,
      hazardCount: view.counts.hazards,
    });
  }, [updateSummary, pair.state.version, eventCount, view.counts.pasids, view.counts.hazards]);

  // Keep the newest event in sight unless the reader has scrolled up to read older ones.
  useLayoutEffect(() => {
    const box = feedBox.current;
    if (box && pinnedToEnd.current && feed.length > 0) box.scrollTop = box.scrollHeight;
  }, [feed]);

  return (
    <div className="replay" data-testid="live">
      <div className="replay-side">
        <section className="panel">
          <div className="panel-title">
            <h2>Live</h2>
            <span
              className={`badge ${status === 'live' ? 'ok' : status === 'closed' || status === 'refused' ? 'hazard' : 'none'}`}
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
          {error ? (
            <div className="error-box small" data-testid="live-error">
              {error}
              {status === 'refused' ? (
                <>
                  {' '}
                  <a
                    href={`/sign-in?next=${encodeURIComponent(`/systems/${encodeURIComponent(system)}/live`)}`}
                  >
                    Sign in
                  </a>
                </>
              ) : null}
            </div>
          ) : null}
        </section>
        <section className="panel live-feed">
          <h2>Arriving events</h2>
          {feed.length === 0 ? (
            <div className="empty small">Waiting for events… record some through the API (below).</div>
          ) : (
            <p className="muted small" style={{ margin: '0 0 0.3rem' }}>
              oldest first, each input's derived events under it
              {received > feed.length ? ` (the last ${feed.length} of ${received})` : ''}
            </p>
          )}
          <div
            ref={feedBox}
            className="live-feed-list"
            onScroll={(e) => {
              const box = e.currentTarget;
              pinnedToEnd.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
            }}
          >
            <ul data-testid="live-feed" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {feed.map((e) => (
                <li
                  key={e.position}
                  data-position={e.position}
                  data-kind={e.kind}
                  className={e.type === 'HazardDetected' ? 'hazard-text' : undefined}
                  style={{ paddingLeft: e.kind === 'DERIVED' ? '1.2em' : 0 }}
                >
                  <span className="muted mono">#{e.position}</span>{' '}
                  <span className="muted">v{e.version}</span>{' '}
                  {e.kind === 'INPUT' ? <strong>{e.type}</strong> : '↳'} {describeEvent(e.type, e.data)}
                </li>
              ))}
            </ul>
          </div>
        </section>
        <RecordExample system={system} apiUrl={apiUrl} />
      </div>
      <div>
        <h2 data-testid="state-heading">Latest state (after event {pair.state.version})</h2>
        <StatePanels view={view} maxPasid={maxPasid} />
      </div>
    </div>
  );
}
