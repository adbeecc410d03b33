/**
 * The compare view's model: one step of a history under two policies, each side's rows marked
 * against the other side's (not against the step before), and the domain's sentence on why they
 * differ. Where the policies first diverge is the API's (`divergence`, the domain's one pass over
 * the whole history on the server), never searched for here.
 */
import { explainDifference } from '@pasid/domain';
import type { FreedEntry, LedgerState } from '../ledger/types';
import { type StateView, toStateView } from './state-view';

export interface ComparedStep {
  left: StateView;
  right: StateView;
  /** Why the two states differ, in the domain's words; null when they agree (counts aside). */
  explanation: string | null;
}

export function compareStates(
  left: LedgerState,
  right: LedgerState,
  /** The recorded PasidFreed events, for the side whose policy the history was recorded under. */
  freed: { left?: readonly FreedEntry[]; right?: readonly FreedEntry[] } = {},
): ComparedStep {
  return {
    left: toStateView(left, right, freed.left, { against: right.policy }),
    right: toStateView(right, left, freed.right, { against: left.policy }),
    explanation: explainDifference(left, right),
  };
}
