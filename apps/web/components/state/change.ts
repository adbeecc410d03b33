import type { Policy } from '@/lib/ledger/types';
import type { Change } from '@/lib/replay/state-view';

export const changeClass = (change: Change) => (change ? `change-${change}` : undefined);

/** What a highlight means: against the step before, or against the other policy of a comparison. */
export const changeTitle = (change: Change, against: Policy | null = null) => {
  if (against !== null) {
    return change === 'added'
      ? `only under this policy, not under ${against}`
      : change === 'changed'
        ? `differs under ${against}`
        : undefined;
  }
  return change === 'added'
    ? 'new at this step'
    : change === 'changed'
      ? 'changed at this step'
      : change === 'removed'
        ? 'gone at this step'
        : undefined;
};
