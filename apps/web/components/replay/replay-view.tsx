'use client';

import { useEffect, useMemo, useState } from 'react';
import { StatePanels } from '@/components/state/state-panels';
import type { FreedEntry, LedgerState } from '@/lib/ledger/types';
import { type PackedHazards, unpackHazards } from '@/lib/replay/hazard-codec';
import { toStateView, withHazards } from '@/lib/replay/state-view';
import type { TimelineEvent } from '@/lib/replay/timeline';
import { ReplayControls } from './replay-controls';
import { Timeline } from './timeline';
import { type StatePair, useStateAt } from './use-state-at';
import { useStepper } from './use-stepper';

export { STATE_SHOWN_MEASURE } from './use-stepper';

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
  const { at, playing, rate, waiting, moveTo, togglePlay, setRate } = useStepper({
    version,
    initialAt: initial.at,
    shownAt: shown.at,
    show,
    has,
    prefetch,
  });
  // Set once hydrated: tests and the bench wait for it before driving the controls.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

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
          waiting={waiting}
          hazards={hazards}
          onMove={moveTo}
          onPlay={togglePlay}
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
