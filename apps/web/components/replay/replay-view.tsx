'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { StatePanels } from '@/components/state/state-panels';
import type { FreedEntry, LedgerState } from '@/lib/ledger/types';
import { type PackedHazards, unpackHazards } from '@/lib/replay/hazard-codec';
import { duePosition, msUntilNext, type PlaybackClock } from '@/lib/replay/playback';
import { toStateView, withHazards } from '@/lib/replay/state-view';
import type { TimelineEvent } from '@/lib/replay/timeline';
import { ReplayControls } from './replay-controls';
import { Timeline } from './timeline';
import { type StatePair, useStateAt } from './use-state-at';

/** While the scrubber is dragged, at most one position is asked for per this many ms. */
const SCRUB_INTERVAL_MS = 40;
const URL_DEBOUNCE_MS = 200;

/** Marks the time from a move of the position to the new state on screen (read by the bench). */
const MOVE_MARK = 'replay:move';
export const STATE_SHOWN_MEASURE = 'replay:state-shown';

export function ReplayView({
  system,
  version,
  initial,
  hazards: packedHazards,
  freed,
  maxPasid,
  initialEvents,
}: {
  system: string;
  version: number;
  initial: { at: number; state: LedgerState; previous: LedgerState | null };
  /** Every hazard of the history, in order (the step states come without theirs). */
  hazards: PackedHazards;
  /** Every PASID freed in the history, in order (value, holder, step). */
  freed: FreedEntry[];
  maxPasid: number;
  initialEvents: TimelineEvent[];
}) {
  const initialPair = useMemo<StatePair>(() => initial, [initial]);
  const { shown, error, loading, show, has, prefetch } = useStateAt(system, initialPair);
  const [at, setAt] = useState(initial.at);
  const [playing, setPlaying] = useState(false);
  // Set once hydrated: tests and the bench wait for it before driving the controls.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const [rate, setRate] = useState<number>(2.5);
  /** Playback is waiting for a state that has not arrived (it slows rather than show another step). */
  const [waiting, setWaiting] = useState(false);
  const moveStarted = useRef<{ at: number; time: number } | null>(null);
  const scrubTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const scrubPending = useRef<number | null>(null);
  const urlTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  /**
   * The URL follows the position once it rests: a position you stop on (a step, a click, a key,
   * the end of a drag) is a new browser history entry, so Back steps back to it; playback only
   * replaces the current entry.
   */
  const syncUrl = useCallback((next: number, entry: 'push' | 'replace') => {
    if (urlTimer.current) clearTimeout(urlTimer.current);
    urlTimer.current = setTimeout(() => {
      const url = new URL(window.location.href);
      if (url.searchParams.get('at') === String(next)) return;
      url.searchParams.set('at', String(next));
      if (entry === 'push') window.history.pushState(window.history.state, '', url);
      else window.history.replaceState(window.history.state, '', url);
    }, URL_DEBOUNCE_MS);
  }, []);

  const moveTo = useCallback(
    (target: number, mode: 'now' | 'scrub' | 'play' | 'history' = 'now') => {
      const next = Math.min(Math.max(target, 0), version);
      setAt(next);
      moveStarted.current = { at: next, time: performance.now() };
      performance.mark(MOVE_MARK, { detail: { at: next } });
      if (mode === 'scrub') {
        // Throttled, leading and trailing: the first move of a drag is asked for at once, the
        // moves during the next interval collapse into the last one.
        if (scrubTimer.current) {
          scrubPending.current = next;
        } else {
          show(next);
          const flush = () => {
            const pending = scrubPending.current;
            scrubPending.current = null;
            if (pending === null) {
              scrubTimer.current = null;
              return;
            }
            show(pending);
            scrubTimer.current = setTimeout(flush, SCRUB_INTERVAL_MS);
          };
          scrubTimer.current = setTimeout(flush, SCRUB_INTERVAL_MS);
        }
      } else {
        if (scrubTimer.current) clearTimeout(scrubTimer.current);
        scrubTimer.current = null;
        scrubPending.current = null;
        show(next);
      }
      if (mode !== 'history') syncUrl(next, mode === 'play' ? 'replace' : 'push');
    },
    [show, version, syncUrl],
  );

  // Back and Forward move the position to the one in the URL (see syncUrl).
  useEffect(() => {
    const onPop = () => {
      const raw = new URL(window.location.href).searchParams.get('at');
      const target = raw === null ? version : Number(raw);
      if (!Number.isInteger(target) || target < 0 || target > version) return;
      if (urlTimer.current) clearTimeout(urlTimer.current);
      setPlaying(false);
      moveTo(target, 'history');
    };
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [moveTo, version]);

  // The state for the position is on screen: close the measure started by the move.
  useEffect(() => {
    const started = moveStarted.current;
    if (started && started.at === shown.at) {
      performance.measure(STATE_SHOWN_MEASURE, {
        start: started.time,
        end: performance.now(),
        detail: { at: shown.at },
      });
      moveStarted.current = null;
    }
  }, [shown]);

  // Playback on a clock (lib/replay/playback): the position moves only to a step whose state is
  // at hand, so the counter and the state below it always agree; a late state slows the clock.
  const clock = useRef<PlaybackClock | null>(null);
  const prefetchedTo = useRef<number | null>(null);
  const position = useRef(at);
  position.current = at;
  useEffect(() => {
    if (!playing) {
      clock.current = null;
      setWaiting(false);
      return;
    }
    clock.current = { from: position.current, startedAt: performance.now(), rate };
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const readAhead = Math.min(50, Math.max(4, Math.ceil(rate)));
    const tick = () => {
      if (stopped || !clock.current) return;
      const now = performance.now();
      const current = position.current;
      if (current >= version) return setPlaying(false);
      const due = duePosition(clock.current, now, version);
      if (current + 1 + readAhead / 2 > (prefetchedTo.current ?? -1)) {
        const to = Math.min(version, current + readAhead);
        prefetchedTo.current = to;
        void prefetch(current + 1, to);
      }
      if (due > current) {
        // Step by step: every state is shown, in order, at the pace asked for.
        const next = current + 1;
        if (has(next)) {
          setWaiting(false);
          moveTo(next, 'play');
          position.current = next;
          if (due > next && !has(next + 1)) clock.current = { from: next, startedAt: now, rate };
        } else {
          setWaiting(true);
          clock.current = { from: current, startedAt: now, rate };
          timer = setTimeout(tick, 15);
          return;
        }
      }
      timer = setTimeout(tick, msUntilNext(clock.current, position.current, performance.now()));
    };
    timer = setTimeout(tick, msUntilNext(clock.current, position.current, performance.now()));
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [playing, rate, version, has, prefetch, moveTo]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const tag = target?.tagName;
      if (
        tag === 'TEXTAREA' ||
        tag === 'SELECT' ||
        (tag === 'INPUT' && (target as HTMLInputElement).type !== 'range')
      )
        return;
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      let handled = true;
      switch (e.key) {
        case 'ArrowLeft':
          setPlaying(false);
          moveTo(at - 1);
          break;
        case 'ArrowRight':
          setPlaying(false);
          moveTo(at + 1);
          break;
        case 'Home':
          setPlaying(false);
          moveTo(0);
          break;
        case 'End':
          setPlaying(false);
          moveTo(version);
          break;
        case ' ':
          setPlaying((p) => !p && at < version);
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [at, version, moveTo]);

  const hazards = useMemo(() => unpackHazards(packedHazards), [packedHazards]);
  const view = useMemo(
    () =>
      toStateView(
        withHazards(shown.state, hazards),
        shown.previous ? withHazards(shown.previous, hazards) : null,
        freed,
      ),
    [shown, hazards, freed],
  );
  const behind = shown.at !== at;

  return (
    <div className="replay" data-ready={ready ? 'true' : undefined}>
      <div className="replay-side">
        <ReplayControls
          at={at}
          version={version}
          playing={playing}
          rate={rate}
          waiting={playing && waiting}
          hazards={hazards}
          onMove={moveTo}
          onPlay={() => setPlaying((p) => !p && at < version)}
          onRate={setRate}
        />
        <Timeline
          system={system}
          version={version}
          selected={at}
          initialEvents={initialEvents}
          onSelect={moveTo}
        />
      </div>
      <div>
        {loading || behind ? <div className="loading-line" aria-hidden="true" /> : null}
        {error ? (
          <div className="error-box" role="alert">
            Could not load the state at {at}: {error}
          </div>
        ) : null}
        <div className="row" style={{ marginBottom: '0.6rem' }}>
          <h2 style={{ margin: 0 }} data-testid="state-heading">
            State after event {shown.at}
          </h2>
          {shown.at > 0 && shown.previous === null ? (
            <span className="muted small">finding what this step changed…</span>
          ) : view.anyChange ? (
            <span className="muted small">
              highlighted: <span className="change-added">&nbsp;new&nbsp;</span>{' '}
              <span className="change-changed">&nbsp;changed&nbsp;</span>{' '}
              <span className="change-removed">&nbsp;gone&nbsp;</span> at this step
            </span>
          ) : (
            <span className="muted small">no change at this step</span>
          )}
        </div>
        <StatePanels view={view} onJump={moveTo} maxPasid={maxPasid} />
      </div>
    </div>
  );
}
