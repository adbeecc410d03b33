import Link from 'next/link';
import { StatePanels } from '@/components/state/state-panels';
import { type LedgerState, POLICY_NAMES, type Policy } from '@/lib/ledger/types';
import type { Divergence } from '@/lib/replay/compare';
import { toStateView } from '@/lib/replay/state-view';
import { PolicyPicker } from './policy-picker';

interface Side {
  policy: Policy;
  state: LedgerState;
  previous: LedgerState | null;
}

export function CompareView({
  system,
  version,
  at,
  left,
  right,
  divergence,
  searched,
}: {
  system: string;
  version: number;
  at: number;
  left: Side;
  right: Side;
  divergence: Divergence | null;
  searched: number;
}) {
  const base = `/systems/${encodeURIComponent(system)}/compare`;
  const href = (step: number) => `${base}?left=${left.policy}&right=${right.policy}&at=${step}`;
  const atDivergence = divergence !== null && divergence.version === at;
  return (
    <div className="stack" data-testid="compare">
      <div className="panel row">
        <PolicyPicker base={base} left={left.policy} right={right.policy} policies={POLICY_NAMES} />
        <span className="position-label">
          step {at} / {version}
        </span>
        <Link className="button" href={href(Math.max(0, at - 1))} aria-disabled={at === 0}>
          ◀ step back
        </Link>
        <Link className="button" href={href(Math.min(version, at + 1))} aria-disabled={at >= version}>
          step ▶
        </Link>
      </div>
      <div className="divergence-box" data-testid="divergence">
        {divergence ? (
          <>
            <strong>
              First divergence at event {divergence.version}
              {atDivergence ? ' (shown)' : ''}
            </strong>
            {atDivergence ? null : (
              <>
                {' '}
                <Link href={href(divergence.version)}>show it</Link>
              </>
            )}
            <ul style={{ margin: '0.3rem 0 0' }}>
              {divergence.differences.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          </>
        ) : left.policy === right.policy ? (
          <span>Pick two different policies.</span>
        ) : (
          <span>
            The two policies agree on every step
            {searched < version ? ` up to event ${searched} (the search stops there)` : ''}.
          </span>
        )}
      </div>
      <div className="two-columns">
        {[left, right].map((side, i) => (
          <section key={side.policy + String(i)} data-testid={i === 0 ? 'compare-left' : 'compare-right'}>
            <h2>
              <code>{side.policy}</code> after event {at}
            </h2>
            <StatePanels view={toStateView(side.state, side.previous)} />
          </section>
        ))}
      </div>
    </div>
  );
}
