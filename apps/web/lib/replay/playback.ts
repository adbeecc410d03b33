/**
 * Playback on a clock: the position due at a time is fixed by when playing (re)started and the
 * rate, not by how long each step took to draw, so "10 steps/s" is ten steps a second. The view
 * moves to the due position only once its state is at hand; when a state is late the clock is
 * restarted from where the view is (it slows, it never skips a state or shows another step).
 */
export interface PlaybackClock {
  /** Position and time (ms) the clock counts from. */
  from: number;
  startedAt: number;
  /** Steps per second. */
  rate: number;
}

export const PLAY_RATES = [1, 2.5, 10, 30] as const;

/** The position due at `now`, never past `last`. */
export function duePosition(clock: PlaybackClock, now: number, last: number): number {
  const steps = Math.floor(((now - clock.startedAt) * clock.rate) / 1000);
  return Math.min(last, clock.from + Math.max(0, steps));
}

/** Milliseconds from `now` until the step after `position` is due. */
export function msUntilNext(clock: PlaybackClock, position: number, now: number): number {
  const dueAt = clock.startedAt + ((position + 1 - clock.from) * 1000) / clock.rate;
  return Math.max(0, dueAt - now);
}
