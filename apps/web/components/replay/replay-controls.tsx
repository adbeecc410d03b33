'use client';

import { Scrubber } from './scrubber';

export function ReplayControls({
  at,
  version,
  playing,
  speed,
  hazardVersions,
  onMove,
  onPlay,
  onSpeed,
}: {
  at: number;
  version: number;
  playing: boolean;
  speed: number;
  hazardVersions: number[];
  onMove: (at: number, mode?: 'now' | 'scrub') => void;
  onPlay: () => void;
  onSpeed: (ms: number) => void;
}) {
  const nextHazard = hazardVersions.find((v) => v > at);
  const previousHazard = [...hazardVersions].reverse().find((v) => v < at);
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
          value={speed}
          onChange={(e) => onSpeed(Number(e.currentTarget.value))}
          aria-label="Play speed"
        >
          <option value={1000}>1 step/s</option>
          <option value={400}>2.5 steps/s</option>
          <option value={100}>10 steps/s</option>
          <option value={30}>fast</option>
        </select>
        <span className="position-label" data-testid="position">
          {at.toLocaleString('en')} / {version.toLocaleString('en')}
        </span>
      </div>
      <Scrubber
        value={at}
        max={version}
        hazardVersions={hazardVersions}
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
        first/last
      </div>
    </div>
  );
}
