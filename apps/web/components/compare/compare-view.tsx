'use client';

import { useEffect, useMemo, useState } from 'react';
import { ReplayControls } from '@/components/replay/replay-controls';
import { type StatePair, useStateAt } from '@/components/replay/use-state-at';
import { useStepper } from '@/components/replay/use-stepper';
import { useTimelineBlocks } from '@/components/replay/use-timeline-blocks';
import { StatePanels } from '@/components/state/state-panels';
import {
  type Divergence,
  type FreedEntry,
  type LedgerState,
  POLICY_NAMES,
  type Policy,
} from '@/lib/ledger/types';
import { compareStates } from '@/lib/replay/compare';
import { type PackedHazards, unpackHazards } from '@/lib/replay/hazard-codec';
import { withHazards } from '@/lib/replay/state-view';
import { describeEvent, type TimelineEvent } from '@/lib/replay/timeline';
import { PolicyPicker } from './policy-picker';

/** The current step's input is named once the position rests this long (no request per scrubbed step). */
const INPUT_SETTLE_MS = 150;

export interface CompareSide {
  policy: Policy;
  /** The state at the page's position, without hazards (they come once, in `hazards`). */
  state: LedgerState;
  /** Every hazard of the history under this policy, in order. */
  hazards: PackedHazards;
  /** The recorded PasidFreed events, when this side is the policy the history was recorded under. */
  freed?: FreedEntry[];
}

/**
 * One history under two policies, side by side, each side's rows marked against the other's; the
 * input where they first diverge (from the API's `divergence`, over the whole history) named,
 * with the domain's sentence on why it matters; and the replay's scrubber, buttons and keys.
 */
export function CompareView({
  system,
  version,
  maxPasid,
  initialAt,
  left,
  right,
  divergence,
  initialEvents,
}: {
  system: string;
  version: number;
  maxPasid: number;
  initialAt: number;
  left: CompareSide;
  right: CompareSide;
  /** Null when the policies agree over the whole history (or are the same). */
  divergence: Divergence | null;
  /** Timeline rows around the page's position (the current step's input is named from them). */
  initialEvents: TimelineEvent[];
}) {
  const base = `/systems/${encodeURIComponent(system)}/compare`;
  const leftInitial = useMemo<StatePair>(
    () => ({ at: initialAt, state: left.state, previous: null }),
    [initialAt, left.state],
  );
  const rightInitial = useMemo<StatePair>(
    () => ({ at: initialAt, state: right.state, previous: null }),
    [initialAt, right.state],
  );
  const l = useStateAt(system, leftInitial, left.policy, { previous: false });
  const r = useStateAt(system, rightInitial, right.policy, { previous: false });
  const sides = useMemo(
    () => ({
      show: (at: number) => {
        l.show(at);
        r.show(at);
      },
      has: (at: number) => l.has(at) && r.has(at),
      prefetch: async (from: number, to: number) => {
        await Promise.all([l.prefetch(from, to), r.prefetch(from, to)]);
      },
    }),
    [l.show, l.has, l.prefetch, r.show, r.has, r.prefetch],
  );
  // Both sides on screen for one position: that is the position shown.
  const shownAt = l.shown.at === r.shown.at ? l.shown.at : -1;
  const { at, playing, rate, waiting, moveTo, togglePlay, setRate } = useStepper({
    version,
    initialAt,
    shownAt,
    ...sides,
  });
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  const leftHazards = useMemo(() => unpackHazards(left.hazards), [left.hazards]);
  const rightHazards = useMemo(() => unpackHazards(right.hazards), [right.hazards]);
  /** Both policies' hazards, in order, for the scrubber's density and the hazard buttons. */
  const allHazards = useMemo(
    () => [...leftHazards, ...rightHazards].sort((a, b) => a.event - b.event),
    [leftHazards, rightHazards],
  );
  const compared = useMemo(
    () =>
      shownAt < 0
        ? null
        : compareStates(withHazards(l.shown.state, leftHazards), withHazards(r.shown.state, rightHazards), {
            left: left.freed,
            right: right.freed,
          }),
    [shownAt, l.shown.state, r.shown.state, leftHazards, rightHazards, left.freed, right.freed],
  );
  const [last, setLast] = useState(compared);
  useEffect(() => {
    if (compared) setLast(compared);
  }, [compared]);
  const view = compared ?? last;

  // Name the input of the step shown, once the position rests.
  const { steps, ensure } = useTimelineBlocks(system, version, initialEvents);
  useEffect(() => {
    if (at === 0) return;
    const timer = setTimeout(() => ensure(at, at), INPUT_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [at, ensure]);
  const input = at > 0 ? (steps.get(at)?.input ?? null) : null;

  const error = l.error ?? r.error;
  const samePolicy = left.policy === right.policy;
  return (
    <div className="stack compare" data-testid="compare" data-ready={ready ? 'true' : undefined}>
      <div className="panel row">
        <PolicyPicker base={base} left={left.policy} right={right.policy} policies={POLICY_NAMES} />
      </div>
      <ReplayControls
        at={at}
        version={version}
        playing={playing}
        rate={rate}
        waiting={waiting}
        hazards={allHazards}
        divergence={divergence?.version ?? null}
        onMove={moveTo}
        onPlay={togglePlay}
        onRate={setRate}
      />
      <DivergenceBox divergence={divergence} samePolicy={samePolicy} at={at} onShow={(v) => moveTo(v)} />
      <div className="panel" data-testid="step-explanation" data-version={view ? shownAt : undefined}>
        <div className="row">
          <h2 style={{ margin: 0 }} data-testid="compare-heading">
            After event {at.toLocaleString('en')}
          </h2>
          {input ? (
            <span className="small" data-testid="step-input">
              <strong>{input.type}</strong> · {describeEvent(input.type, input.data)}
            </span>
          ) : at === 0 ? (
            <span className="muted small">the empty start</span>
          ) : null}
        </div>
        <p style={{ margin: '0.3rem 0 0' }} data-testid="step-sentence">
          {samePolicy
            ? 'Pick two different policies.'
            : divergence !== null && at === divergence.version && shownAt === at
              ? 'This is the input where they diverge: why it matters is said above.'
              : view?.explanation
                ? view.explanation
                : 'The two policies agree at this step (reference counts aside: only LAZY_REFCOUNT counts).'}
        </p>
        <p className="muted small" style={{ margin: '0.3rem 0 0' }}>
          Marked against each other: <span className="change-added">&nbsp;only on this side&nbsp;</span>{' '}
          <span className="change-changed">&nbsp;differs from the other side&nbsp;</span>
        </p>
      </div>
      {error ? (
        <div className="error-box" role="alert">
          Could not load the states at {at}: {error}
        </div>
      ) : null}
      {view ? (
        <div className="two-columns">
          {(
            [
              ['compare-left', left.policy, view.left, l.shown.at],
              ['compare-right', right.policy, view.right, r.shown.at],
            ] as const
          ).map(([testId, policy, sideView, sideAt]) => (
            <section key={testId} data-testid={testId} data-policy={policy}>
              {l.loading || r.loading || sideAt !== at ? (
                <div className="loading-line" aria-hidden="true" />
              ) : null}
              <h2>
                <code>{policy}</code> after event {sideView.version.toLocaleString('en')}
              </h2>
              <StatePanels view={sideView} onJump={(v) => moveTo(v)} maxPasid={maxPasid} />
            </section>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** The first input where the policies part: named, its fields shown, and why it matters. */
function DivergenceBox({
  divergence,
  samePolicy,
  at,
  onShow,
}: {
  divergence: Divergence | null;
  samePolicy: boolean;
  at: number;
  onShow: (version: number) => void;
}) {
  if (samePolicy) {
    return (
      <div className="divergence-box" data-testid="divergence">
        Pick two different policies.
      </div>
    );
  }
  if (!divergence) {
    return (
      <div className="divergence-box" data-testid="divergence">
        The two policies agree on every step of the history (reference counts aside).
      </div>
    );
  }
  const [leftPolicy, rightPolicy] = divergence.policies;
  const fields = Object.entries(divergence.input.data).filter(([k]) => k !== 'type');
  return (
    <div className="divergence-box" data-testid="divergence" data-version={divergence.version}>
      <div className="row">
        <strong data-testid="divergence-title">
          {leftPolicy} and {rightPolicy} diverge at input {divergence.version.toLocaleString('en')}
        </strong>
        {at === divergence.version ? (
          <span className="muted small">(shown)</span>
        ) : (
          <button
            type="button"
            className="small"
            data-testid="show-divergence"
            onClick={() => onShow(divergence.version)}
          >
            show it
          </button>
        )}
      </div>
      <div
        className="row small divergence-input"
        data-testid="divergence-input"
        data-type={divergence.input.type}
      >
        <span className="badge">{divergence.input.type}</span>
        {fields.map(([k, v]) => (
          <span key={k} data-field={k}>
            <span className="muted">{k}</span> <code>{typeof v === 'string' ? v : JSON.stringify(v)}</code>
          </span>
        ))}
        <span className="muted">· {describeEvent(divergence.input.type, divergence.input.data)}</span>
      </div>
      <p style={{ margin: '0.4rem 0 0' }} data-testid="divergence-explanation">
        {divergence.explanation}
      </p>
      <details className="small" style={{ marginTop: '0.3rem' }}>
        <summary>
          What differs after it ({divergence.differences.length} item
          {divergence.differences.length === 1 ? '' : 's'})
        </summary>
        <ul style={{ margin: '0.3rem 0 0' }} data-testid="divergence-differences">
          {divergence.differences.map((d) => (
            <li key={`${d.field}:${d.key}:${JSON.stringify(d.left)}:${JSON.stringify(d.right)}`}>
              {d.description}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
