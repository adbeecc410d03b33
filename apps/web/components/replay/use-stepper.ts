'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { duePosition, msUntilNext, type PlaybackClock } from '@/lib/replay/playback';

/** While the scrubber is dragged, at most one position is asked for per this many ms. */
const SCRUB_INTERVAL_MS = 40;
const URL_DEBOUNCE_MS = 200;

/** Marks the time from a move of the position to the new state on screen (read by the bench). */
const MOVE_MARK = 'replay:move';
export const STATE_SHOWN_MEASURE = 'replay:state-shown';

export type MoveMode = 'now' | 'scrub' | 'play' | 'history';

/**
 * The position in a history and how it moves, shared by the replay and the compare view: step,
 * scrub (throttled), play on a clock, the keys (← → space Home End), and the URL (`?at=`), where
 * each position you rest on is a browser history entry so Back steps back.
 *
 * The view says how to show a position (`show`), whether its state is at hand (`has`: playback
 * moves only to such a step, so the counter and the state below always agree) and how to read
 * ahead (`prefetch`); `shownAt` is the position whose state is on screen.
 */
export function useStepper({
  version,
  initialAt,
  shownAt,
  show,
  has,
  prefetch,
}: {
  version: number;
  initialAt: number;
  shownAt: number;
  show: (at: number) => void;
  has: (at: number) => boolean;
  prefetch: (from: number, to: number) => Promise<void>;
}) {
  const [at, setAt] = useState(initialAt);
  const [playing, setPlaying] = useState(false);
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
    (target: number, mode: MoveMode = 'now') => {
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
    if (started && started.at === shownAt) {
      performance.measure(STATE_SHOWN_MEASURE, {
        start: started.time,
        end: performance.now(),
        detail: { at: shownAt },
      });
      moveStarted.current = null;
    }
  }, [shownAt]);

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

  const togglePlay = useCallback(() => setPlaying((p) => !p && at < version), [at, version]);

  return { at, playing, rate, waiting: playing && waiting, moveTo, togglePlay, setRate };
}
