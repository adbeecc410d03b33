'use client';

import type { HazardEntry } from '@/lib/ledger/types';
import { PLAY_RATES } from '@/lib/replay/playback';
import { Scrubber } from './scrubber';

export function ReplayControls({
  at,
  version,
  playing,
  rate,
  waiting,
  hazards,
  divergence = null,
  onMove,
  onPlay,
  onRate,
}: {
  at: number;
  version: number;
  playing: boolean;
  /** Steps per second while playing. */
  rate: number;
  /** Playing, but the next state has not arrived: the playback waits for it. */
  waiting: boolean;
  hazards: readonly HazardEntry[];
  /** The compare view: the step where the two policies diverge, marked on the scrubber. */
  divergence?: number | null;
  onMove: (at: number, mode?: 'now' | 'scrub') => void;
  onPlay: () => void;
  onRate: (stepsPerSecond: number) => void;
}) {
  const nextHazard = hazards.find((h) => h.event > at)?.event;
  const previousHazard = hazards.findLast((h) => h.event < at)?.event;
  return (
    <div className="panel controls" data-testid="controls">
      <div className="buttons">
        <button
          type="button"
          onClick={() => onMove(0)}
          disabled={at === 0}
          title="First (Home)"
          aria-label="First"
        >
          |◀
        </button>
        <button
          type="button"
          onClick={() => onMove(at - 1)}
          disabled={at === 0}
          title="Step back (←)"
          data-testid="step-back"
        >
          ◀
        </button>
        <button
          type="button"
          onClick={onPlay}
          disabled={!playing && at >= version}
          title="Play / pause (space)"
          data-testid="play"
        >
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <button
          type="button"
          onClick={() => onMove(at + 1)}
          disabled={at >= version}
          title="Step (→)"
          data-testid="step-forward"
        >
          ▶
        </button>
        <button
          type="button"
          onClick={() => onMove(version)}
          disabled={at >= version}
          title="Last (End)"
          aria-label="Last"
        >
          ▶|
        </button>
        <select
          value={rate}
          onChange={(e) => onRate(Number(e.currentTarget.value))}
          aria-label="Play speed"
          data-testid="play-rate"
        >
          {PLAY_RATES.map((r) => (
            <option key={r} value={r}>
              {r} step{r === 1 ? '' : 's'}/s
            </option>
          ))}
        </select>
        <span className="position-label" data-testid="position">
          {at.toLocaleString('en')} / {version.toLocaleString('en')}
        </span>
        {waiting ? <span className="muted small">waiting for states…</span> : null}
      </div>
      <Scrubber
        value={at}
        max={version}
        hazards={hazards}
        divergence={divergence}
        onScrub={(v) => onMove(v, 'scrub')}
      />
      <div className="row small">
        <button
          type="button"
          disabled={previousHazard === undefined}
          onClick={() => previousHazard !== undefined && onMove(previousHazard)}
        >
          ← previous hazard
        </button>
        <button
          type="button"
          disabled={nextHazard === undefined}
          onClick={() => nextHazard !== undefined && onMove(nextHazard)}
        >
          next hazard →
        </button>
      </div>
      <div className="kbd-help">
        <kbd>←</kbd> <kbd>→</kbd> step · <kbd>space</kbd> play/pause · <kbd>Home</kbd> <kbd>End</kbd>{' '}
        first/last · Back steps back
      </div>
    </div>
  );
}
